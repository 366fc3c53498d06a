import type { Command } from '../command.js';
import { clientsAddCommand, keysRotateCommand, usersAddCommand } from './admin-commands.js';
import { authorizationServerCommand } from './authorization-server.js';
import { bffCommand } from './bff.js';
import { configCheckCommand } from './config-check.js';
import { devCommand } from './dev.js';
import { storeCheckCommand } from './store-check.js';
import { storeMigrateCommand } from './store-migrate.js';

/** Every subcommand, in the order `gatehouse --help` lists them. */
export const commands: readonly Command[] = [
  devCommand,
  authorizationServerCommand,
  bffCommand,
  usersAddCommand,
  clientsAddCommand,
  keysRotateCommand,
  storeCheckCommand,
  storeMigrateCommand,
  configCheckCommand,
];
