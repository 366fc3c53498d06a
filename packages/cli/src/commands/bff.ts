import { createServer, type Server } from 'node:http';
import { BffMetrics, createBff, DiscoveryError, loadBffConfig, ProviderUnavailableError } from '@gatehouse/bff';
import { readConfigFile } from '@gatehouse/config';
import { StoreError } from '@gatehouse/store';
import { type Command, exitCode, logStream } from '../command.js';
import { parseFlags, requireFlag } from '../flags.js';

export const bffCommand: Command = {
  path: ['bff'],
  summary: 'run a BFF: login, session cookie and API proxy for a browser app',
  help: `Usage: gatehouse bff --config FILE

Runs the backend-for-frontend described by FILE (see docs/bff.md): discovers the provider, opens the
store, and listens on "host":"port". Stops cleanly on SIGINT or SIGTERM.

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
    let metricsServer: Server | undefined;
    try {
      app = await createBff(config, { logger: { stream: logStream(io) }, metrics });
      await app.listen({ port: config.port, host: config.host });
      if (config.metrics.enabled) metricsServer = await serveMetrics(metrics, config.metrics.host, config.metrics.port);
    } catch (error) {
      if (error instanceof DiscoveryError || error instanceof ProviderUnavailableError || error instanceof StoreError) {
        io.stderr(`gatehouse bff: cannot start: ${error.message}`);
        return exitCode.failure;
      }
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        io.stderr(`gatehouse bff: cannot start: ${config.host}:${config.port} is in use`);
        return exitCode.failure;
      }
      throw error;
    }
    io.stdout(`Gatehouse BFF for ${config.issuer} at ${config.publicUrl} (listening on ${config.host}:${config.port})`);
    const signal = await io.stopSignal;
    io.stdout(`gatehouse bff: ${signal}, closing`);
    await app.close();
    metricsServer?.close();
    return exitCode.ok;
  },
};

/** Prometheus scrapes `GET /metrics` on a listener of its own, off the browser-facing origin. */
async function serveMetrics(metrics: BffMetrics, host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    metrics.render().then(
      ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
