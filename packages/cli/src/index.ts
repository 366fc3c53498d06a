export type { Command, Io } from './command.js';
export { exitCode, UsageError } from './command.js';
export { loadConfig } from './load-config.js';
export { runGatehouse } from './run-gatehouse.js';
