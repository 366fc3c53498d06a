import { BffMetrics, createBff, DiscoveryError, loadBffConfig, ProviderUnavailableError } from '@gatehouse/bff';
import { readConfigFile } from '@gatehouse/config';
import type { OpsListener } from '@gatehouse/server-kit';
import { StoreError } from '@gatehouse/store';
import { type Command, exitCode, logStream } from '../command.js';
import { parseFlags, requireFlag } from '../flags.js';
import { startOps, stopOnSignal } from '../graceful-stop.js';

export const bffCommand: Command = {
  path: ['bff'],
  summary: 'run a BFF: login, session cookie and API proxy for a browser app',
  help: `Usage: gatehouse bff --config FILE

Runs the backend-for-frontend described by FILE (see docs/bff.md): discovers the provider, opens the
store, and listens on "host":"port" (and on "metrics" when enabled). On SIGINT or SIGTERM it turns
/readyz to 503, drains (shutdown.drainDelayMs), closes and exits; requests in flight get up to
shutdown.drainTimeoutMs.

  --config FILE   the BFF configuration (JSON)
  -h, --help      this text

Exit codes: 0 stopped cleanly, 1 could not start (provider or store unreachable, issuer mismatch),
2 bad flags or config (one line naming the field).`,

  async run(args, io) {
    const flags = parseFlags('bff', args, { config: { type: 'string' } });
    if (flags.help) {
      io.stdout(this.help);
      return exitCode.ok;
    }
    const path = requireFlag('bff', 'config', flags.config);
    const config = loadBffConfig(await readConfigFile(path), path);
    let app: Awaited<ReturnType<typeof createBff>>;
    const metrics = new BffMetrics();
    let ops: OpsListener | undefined;
    try {
      app = await createBff(config, { logger: { stream: logStream(io) }, metrics });
      await app.listen({ port: config.port, host: config.host });
      ops = await startOps(app, config, metrics.render).catch(async (error: unknown) => {
        await app.close();
        throw error;
      });
    } catch (error) {
      if (error instanceof DiscoveryError || error instanceof ProviderUnavailableError || error instanceof StoreError) {
        io.stderr(`gatehouse bff: cannot start: ${error.message}`);
        return exitCode.failure;
      }
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        const { address, port } = error as { address?: string; port?: number };
        io.stderr(`gatehouse bff: cannot start: ${address ?? config.host}:${port ?? config.port} is in use`);
        return exitCode.failure;
      }
      throw error;
    }
    io.stdout(`Gatehouse BFF for ${config.issuer} at ${config.publicUrl} (listening on ${config.host}:${config.port})`);
    await stopOnSignal('bff', io, app, config, ops);
    return exitCode.ok;
  },
};
