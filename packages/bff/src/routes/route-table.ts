import type { FastifyInstance, HTTPMethods, RouteOptions } from 'fastify';
import { sendApiError } from './api-error.js';

/** The methods a BFF route or proxied route may be declared with. */
const knownMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export interface RouteTable {
  /**
   * Call once every route is registered. Checks that each route under the guarded paths declares
   * `config.guard` (else a `TypeError` stops the start: a forgotten declaration must not mean an
   * unguarded endpoint), then gives each path a route taking every method it does not serve, which
   * answers 405 with `Allow` (RFC 9110 §15.5.6) instead of 404. Being a route, it is matched by the
   * router like the others — under any spelling of the path — and answers before a body is read.
   */
  complete(): void;
}

/**
 * Records every route as it is registered (`onRoute`). Read at {@link RouteTable.complete}, not at
 * registration, so a guard set on the route options by a later `onRoute` hook counts.
 */
export function trackRouteTable(app: FastifyInstance, guardedPaths: readonly string[]): RouteTable {
  const registered: RouteOptions[] = [];
  let completed = false;
  app.addHook('onRoute', (route) => {
    if (!completed) registered.push(route);
  });
  const isGuardedPath = (url: string) => guardedPaths.some((path) => url === path || url.startsWith(`${path}/`));

  return {
    complete() {
      completed = true;
      const byUrl = new Map<string, RouteOptions[]>();
      for (const route of registered) {
        if (!isGuardedPath(route.url)) continue;
        if (!route.config?.guard) {
          throw new TypeError(`${[route.method].flat().join(',')} ${route.url}: a BFF route must declare config.guard`);
        }
        byUrl.set(route.url, [...(byUrl.get(route.url) ?? []), route]);
      }
      for (const [url, routes] of byUrl) refuseOtherMethods(app, url, routes);
    },
  };
}

function refuseOtherMethods(app: FastifyInstance, url: string, routes: readonly RouteOptions[]): void {
  const declared = new Set<string>();
  const served = new Set<string>();
  const getHandlers = new Set(routes.filter((route) => [route.method].flat().includes('GET')).map((r) => r.handler));
  for (const route of routes) {
    const methods = [route.method].flat();
    for (const method of methods) served.add(method);
    // Fastify serves HEAD for a GET route by registering the GET's handler again: served, not declared.
    const impliedHead = methods.length === 1 && methods[0] === 'HEAD' && getHandlers.has(route.handler);
    if (!impliedHead) for (const method of methods) declared.add(method);
  }
  const others: HTTPMethods[] = knownMethods.filter((method) => !served.has(method));
  if (others.length === 0) return;
  const allow = [...declared].join(', ');
  const guard = (routes[0] as RouteOptions).config?.guard;
  app.route({
    method: others,
    url,
    exposeHeadRoute: false,
    // The path's own CSRF class and failure style; no rate limit, as nothing is served.
    ...(guard && { config: { guard: { csrf: guard.csrf, failureStyle: guard.failureStyle } } }),
    // Answered in onRequest, so no body is read (or refused for its type) first.
    onRequest: async (_request, reply) => sendApiError(reply.header('allow', allow), 405, 'method_not_allowed'),
    handler: async (_request, reply) => reply,
  });
}
