import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerLiveness, answerReadiness, type HealthAnswer, healthHeaders, healthPaths } from './health-routes.js';
import type { ServerLifecycle } from './server-lifecycle.js';

/** What the ops listener serves at `/metrics`: the exposition text and its content type. */
export type MetricsSource = () => Promise<{ contentType: string; body: string }>;

export interface OpsListenerOptions {
  host: string;
  /** 0 picks a free port (see {@link OpsListener.port}). */
  port: number;
  /** Renders `GET /metrics` on each scrape. Omitted: `/metrics` is 404. */
  metrics?: MetricsSource;
  /** Serves `/healthz` and `/readyz` from this server's lifecycle. Omitted: both are 404. */
  health?: ServerLifecycle;
}

export interface OpsListener {
  /** The port it listens on. */
  readonly port: number;
  /** Stops listening and ends its connections (a scrape in flight included). */
  close(): Promise<void>;
}

/**
 * A plain HTTP listener for operators, away from the browsers' origin: Prometheus scrapes
 * `/metrics`, and probes may use `/healthz` and `/readyz` here instead of on the public port
 * (`health.listener: "metrics"`). GET and HEAD only; nothing else is served, and a failure to render
 * is a 500 with no detail. No request is logged.
 *
 * @example
 * const ops = await startOpsListener({ host: '127.0.0.1', port: 9464, metrics: render, health: app.lifecycle });
 * // … on stop, after the app drained:
 * await ops.close();
 */
export async function startOpsListener(options: OpsListenerOptions): Promise<OpsListener> {
  const server = createServer((request, response) => {
    answer(request, options).then(
      (result) => send(response, request.method === 'HEAD', result),
      () => send(response, false, { statusCode: 500, headers: {}, body: '' }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => closeNow(server),
  };
}

interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

async function answer(request: IncomingMessage, options: OpsListenerOptions): Promise<Answer> {
  const path = (request.url ?? '').split('?', 1)[0];
  const known =
    (path === '/metrics' && options.metrics !== undefined) ||
    ((path === healthPaths.liveness || path === healthPaths.readiness) && options.health !== undefined);
  if (!known) return { statusCode: 404, headers: {}, body: '' };
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return { statusCode: 405, headers: { allow: 'GET, HEAD' }, body: '' };
  }
  if (path === '/metrics') {
    const { contentType, body } = await (options.metrics as MetricsSource)();
    return { statusCode: 200, headers: { 'content-type': contentType, 'cache-control': 'no-store' }, body };
  }
  const lifecycle = options.health as ServerLifecycle;
  const health: HealthAnswer = path === healthPaths.liveness ? answerLiveness() : await answerReadiness(lifecycle);
  return { statusCode: health.statusCode, headers: { ...healthHeaders }, body: JSON.stringify(health.body) };
}

function send(response: ServerResponse, headOnly: boolean, result: Answer): void {
  if (response.headersSent) return;
  response.writeHead(result.statusCode, { ...result.headers, 'content-length': Buffer.byteLength(result.body) });
  response.end(headOnly ? undefined : result.body);
}

async function closeNow(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}
