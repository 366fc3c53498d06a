import { createAuthorizationServer, loadAuthorizationServerConfig } from '@gatehouse/authorization-server';
import { readConfigFile } from '@gatehouse/config';
import { StoreError } from '@gatehouse/store';
import { type Command, exitCode, logStream } from '../command.js';
import { parseFlags, requireFlag } from '../flags.js';

export const authorizationServerCommand: Command = {
  path: ['authorization-server'],
  summary: 'run the authorization server (OpenID provider) with its login pages',
  help: `Usage: gatehouse authorization-server --config FILE

Runs the OpenID provider described by FILE (see docs/authorization-server.md): opens the store,
creates signing keys on first start, seeds the configured users, and listens on "host":"port".
Stops cleanly on SIGINT or SIGTERM.

  --config FILE   the authorization server configuration (JSON)
  -h, --help      this text

Exit codes: 0 stopped cleanly, 1 could not start (store unreachable, port in use),
2 bad flags or config (one line naming the field).`,

  async run(args, io) {
    const flags = parseFlags('authorization-server', args, { config: { type: 'string' } });
    if (flags.help) {
      io.stdout(this.help);
      return exitCode.ok;
    }
    const path = requireFlag('authorization-server', 'config', flags.config);
    const config = loadAuthorizationServerConfig(await readConfigFile(path), path);
    let app: Awaited<ReturnType<typeof createAuthorizationServer>>;
    try {
      // Log lines go through io like every other line, so an in-process run (a test) keeps them.
      app = await createAuthorizationServer(config, { logger: { stream: logStream(io) } });
      await app.listen({ port: config.port, host: config.host });
    } catch (error) {
      if (error instanceof StoreError) {
        io.stderr(`gatehouse authorization-server: cannot start: ${error.message}`);
        return exitCode.failure;
      }
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        io.stderr(`gatehouse authorization-server: cannot start: ${config.host}:${config.port} is in use`);
        return exitCode.failure;
      }
      throw error;
    }
    io.stdout(`Gatehouse authorization server ${config.issuer} (listening on ${config.host}:${config.port})`);
    const signal = await io.stopSignal;
    io.stdout(`gatehouse authorization-server: ${signal}, closing`);
    await app.close();
    return exitCode.ok;
  },
};
