import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CheckState, ServerLifecycle } from './server-lifecycle.js';

/** The paths of the liveness and readiness endpoints, on whichever listener serves them. */
export const healthPaths = Object.freeze({ liveness: '/healthz', readiness: '/readyz' });

/** The body of `/healthz` and `/readyz`. */
export type HealthBody =
  | { readonly status: 'ok' }
  | { readonly status: 'ready'; readonly checks: Readonly<Record<string, CheckState>> }
  | {
      readonly status: 'not_ready';
      readonly reason: 'shutting_down' | 'checks_failing';
      readonly checks: Readonly<Record<string, CheckState>>;
    };

/** An answer of either endpoint, for any HTTP layer (a Fastify route, the ops listener). */
export interface HealthAnswer {
  readonly statusCode: 200 | 503;
  readonly body: HealthBody;
}

/** Headers of every health answer: never cached by a proxy (a stale "ready" would keep traffic coming). */
export const healthHeaders = Object.freeze({
  'cache-control': 'no-store',
  'content-type': 'application/json; charset=utf-8',
});

/** `/healthz`: the process answers. Nothing is checked, so a store outage never gets it restarted. */
export function answerLiveness(): HealthAnswer {
  return { statusCode: 200, body: { status: 'ok' } };
}

/** `/readyz`: 200 when every readiness check passed, else 503 naming the failing ones (or `shutting_down`). */
export async function answerReadiness(lifecycle: ServerLifecycle): Promise<HealthAnswer> {
  const report = await lifecycle.readiness();
  if (report.ready) return { statusCode: 200, body: { status: 'ready', checks: report.checks } };
  return {
    statusCode: 503,
    body: { status: 'not_ready', reason: report.reason ?? 'checks_failing', checks: report.checks },
  };
}

export interface HealthRoutesOptions {
  /**
   * `true`: answer `/healthz` and `/readyz` here. `false` (they are on the metrics listener): the
   * paths stay reserved and answer `hidden`.
   */
  exposed: boolean;
  /** The answer for the paths when not exposed. Default: the app's not-found handler. */
  hidden?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply;
  /** More route config for both routes, e.g. `{ isPublic: true }` under the resource-server plugin. */
  routeConfig?: FastifyContextConfig;
  /**
   * Answers another method at the exposed paths, in the server's own style, once `Allow: GET, HEAD` is
   * set (RFC 9110 §15.5.6). Omit it when the server answers 405 for unrouted methods by itself.
   */
  methodNotAllowed?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply;
}

/** The methods a health path does not serve. */
const otherMethods = ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * Registers `GET /healthz` and `GET /readyz` (and HEAD) at the root of `app`: no authentication, no
 * cookie, no rate limit (no route guard names one), logged only at warn and above, served while the
 * server closes. Being exact routes, they take precedence over static files and the not-found
 * handler; a proxied route on the same path must be refused by the server's config check.
 */
export function registerHealthRoutes(app: FastifyInstance, options: HealthRoutesOptions): void {
  const lifecycle = app.lifecycle;
  const routeOptions = { logLevel: 'warn', config: { ...options.routeConfig, servedWhileClosing: true } } as const;
  const send = (reply: FastifyReply, answer: HealthAnswer) =>
    reply.code(answer.statusCode).headers(healthHeaders).send(answer.body);
  if (!options.exposed) {
    const hidden =
      options.hidden ??
      ((_request: FastifyRequest, reply: FastifyReply) => {
        reply.callNotFound();
        return reply;
      });
    for (const path of Object.values(healthPaths)) {
      app.get(path, routeOptions, async (request, reply) => hidden(request, reply));
    }
    return;
  }
  app.get(healthPaths.liveness, routeOptions, async (_request, reply) => send(reply, answerLiveness()));
  app.get(healthPaths.readiness, routeOptions, async (_request, reply) =>
    send(reply, await answerReadiness(lifecycle)),
  );
  const { methodNotAllowed } = options;
  if (!methodNotAllowed) return;
  for (const path of Object.values(healthPaths)) {
    app.route({
      method: [...otherMethods],
      url: path,
      ...routeOptions,
      // Answered before any body is read (or refused for its type).
      onRequest: async (request, reply) => methodNotAllowed(request, reply.header('allow', 'GET, HEAD')),
      handler: async (_request, reply) => reply,
    });
  }
}
