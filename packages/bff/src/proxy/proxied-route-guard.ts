import type { BffConfig } from '../config/bff-config.js';
import { calledByScript, type RouteGuard } from '../request-guard/route-guard.js';

type Route = BffConfig['routes'][number];

/**
 * The guard of a configured route, for its requests and its WebSocket handshakes alike: every call
 * passes the CSRF rule. A `client` route is called with the BFF's own token by anyone who passes it —
 * no session needed — so it is rate limited per source.
 */
export function guardOfProxiedRoute(route: Route): RouteGuard {
  return route.token === 'client' ? clientRoute : calledByScript;
}

const clientRoute: RouteGuard = Object.freeze({ ...calledByScript, rateLimit: 'clientRoutes' });
