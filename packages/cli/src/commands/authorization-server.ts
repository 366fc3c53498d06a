import { createAuthorizationServer, loadAuthorizationServerConfig } from '@gatehouse/authorization-server';
import { readConfigFile } from '@gatehouse/config';
import { createMetricsRegistry, metricsRenderer, type OpsListener } from '@gatehouse/server-kit';
import { StoreError } from '@gatehouse/store';
import { type Command, exitCode, logStream } from '../command.js';
import { parseFlags, requireFlag } from '../flags.js';
import { startOps, stopOnSignal } from '../graceful-stop.js';

export const authorizationServerCommand: Command = {
  path: ['authorization-server'],
  summary: 'run the authorization server (OpenID provider) with its login pages',
  help: `Usage: gatehouse authorization-server --config FILE

Runs the OpenID provider described by FILE (see docs/authorization-server.md): opens the store,
creates signing keys on first start, seeds the configured users, and listens on "host":"port" (and
on "metrics" when enabled). On SIGINT or SIGTERM it turns /readyz to 503, drains
(shutdown.drainDelayMs), closes and exits; requests in flight get up to shutdown.drainTimeoutMs.

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
    // The app's metrics, scraped on the ops listener when metrics.enabled.
    const metricsRegistry = createMetricsRegistry();
    let ops: OpsListener | undefined;
    try {
      // Log lines go through io like every other line, so an in-process run (a test) keeps them.
      app = await createAuthorizationServer(config, { logger: { stream: logStream(io) }, metricsRegistry });
      await app.listen({ port: config.port, host: config.host });
      ops = await startOps(app, config, metricsRenderer(metricsRegistry)).catch(async (error: unknown) => {
        await app.close();
        throw error;
      });
    } catch (error) {
      if (error instanceof StoreError) {
        io.stderr(`gatehouse authorization-server: cannot start: ${error.message}`);
        return exitCode.failure;
      }
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        const { address, port } = error as { address?: string; port?: number };
        io.stderr(
          `gatehouse authorization-server: cannot start: ${address ?? config.host}:${port ?? config.port} is in use`,
        );
        return exitCode.failure;
      }
      throw error;
    }
    io.stdout(`Gatehouse authorization server ${config.issuer} (listening on ${config.host}:${config.port})`);
    await stopOnSignal('authorization-server', io, app, config, ops);
    return exitCode.ok;
  },
};
