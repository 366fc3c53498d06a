import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { counterOf, histogramOf, type Registry } from './metrics-registry.js';

export interface HttpMetricsOptions {
  /** Where the metrics go: the app's own registry. */
  registry: Registry;
  /** The `server` label: `authorization-server`, `bff`, … (one registry may hold several servers). */
  server: string;
}

/** Seconds; from a fast JWKS answer to a slow sign-in through an upstream provider. */
export const httpDurationBuckets = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);

/** The `route` label of a request no route took (a 404, a path the router could not decode). */
export const unmatchedRoute = 'unmatched';

/** The methods a route may serve; any other (`PROPFIND`, `PURGE` …) is labelled `other`. */
const routeMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Counts and times every answered request of `app`:
 * `gatehouse_http_requests_total{server,route,method,status}` and
 * `gatehouse_http_request_duration_seconds{server,route,method,status_class}` (`2xx` … `5xx`).
 *
 * `route` is the pattern the router matched (`/bff/user`, `/api/*`), never the URL, and every request
 * no route took is `unmatched`, and a method no route serves `other`: whatever a stranger sends, the
 * series stay the app's routes.
 * A request whose client went away before the answer is not counted. Register on the root app,
 * before its routes' own plugins, so that every route is seen. `createServer({ httpMetrics })` does
 * this, and also counts the requests the router refuses before any hook runs (an undecodable path):
 * call the returned function for those when building an app some other way.
 *
 * @example
 * registerHttpMetrics(app, { registry, server: 'bff' });
 */
export function registerHttpMetrics(app: FastifyInstance, options: HttpMetricsOptions): RecordHttpAnswer {
  const { registry, server } = options;
  const requests = counterOf(registry, {
    name: 'gatehouse_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status.',
    labelNames: ['server', 'route', 'method', 'status'],
  });
  const durations = histogramOf(registry, {
    name: 'gatehouse_http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to the end of its answer, by route pattern, method and status class.',
    labelNames: ['server', 'route', 'method', 'status_class'],
    buckets: [...httpDurationBuckets],
  });
  const record: RecordHttpAnswer = (request, reply) => {
    const route = routeLabel(request);
    const method = routeMethods.has(request.method) ? request.method : 'other';
    const status = reply.statusCode;
    requests.inc({ server, route, method, status: String(status) });
    durations.observe(
      { server, route, method, status_class: `${Math.floor(status / 100)}xx` },
      reply.elapsedTime / 1000,
    );
  };
  app.addHook('onResponse', (request, reply, done) => {
    record(request, reply);
    done();
  });
  return record;
}

/** Counts one answered request (see {@link registerHttpMetrics}). */
export type RecordHttpAnswer = (request: FastifyRequest, reply: FastifyReply) => void;

function routeLabel(request: FastifyRequest): string {
  const url = request.routeOptions.url;
  return request.is404 || url === undefined || url === '' ? unmatchedRoute : url;
}
