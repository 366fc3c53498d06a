import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimitClass, RateLimiter } from '../rate-limit/rate-limiter.js';
import { sendApiError } from '../routes/api-error.js';
import { checkBrowserRequest } from './check-browser-request.js';

/**
 * Who calls a route, which decides its CSRF rule:
 * - `script`: the SPA's scripts (`fetch` with `x-csrf: 1`): {@link checkBrowserRequest} must pass.
 * - `navigation`: a top-level GET the browser makes with no header of ours (login, callback): nothing
 *   to check, so it must not change the user's state on the strength of the cookie alone.
 * - `own-credentials`: another server, authenticated by what the request carries (back-channel
 *   logout's signed token), never by cookie.
 */
export type CsrfClass = 'script' | 'navigation' | 'own-credentials';

/**
 * How a route's refusals and failures are answered: `api`, JSON `{ error, reason }` (never a
 * redirect); `navigation`, a 303 to the SPA's login-failed route with `?error=<code>`, since a JSON
 * body would end up in the address bar.
 */
export type FailureStyle = 'api' | 'navigation';

/** Declared with each route (`config.guard`) and enforced after routing, whatever spelling matched. */
export interface RouteGuard {
  csrf: CsrfClass;
  failureStyle: FailureStyle;
  /** Counted per source address before the handler runs; see {@link RateLimiter}. */
  rateLimit?: RateLimitClass;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on every BFF endpoint and proxied route: see {@link RouteGuard}. */
    guard?: RouteGuard;
  }
}

/** The guard of the route the router matched; `undefined` for the not-found handler and static files. */
export function routeGuardOf(request: FastifyRequest): RouteGuard | undefined {
  return request.routeOptions.config.guard;
}

export interface RouteGuardOptions {
  /** The BFF's own origin, for the CSRF origin check. */
  ownOrigin: string;
  rateLimiter: RateLimiter;
  /** Ends a navigation that failed, e.g. on the SPA's login-failed route with `code`. */
  sendNavigationFailure: (reply: FastifyReply, code: string) => FastifyReply;
}

/**
 * Enforces each route's declared guard: the CSRF rule for `script` routes, then the route's rate
 * limit. It runs in `onRequest`, which Fastify calls after the router has matched the route (on the
 * decoded path), so `/bff/%75ser` is guarded as `/bff/user` is — and before the body is read.
 */
export function enforceRouteGuards(app: FastifyInstance, options: RouteGuardOptions): void {
  const { ownOrigin, rateLimiter, sendNavigationFailure } = options;
  app.addHook('onRequest', async (request, reply) => {
    const guard = routeGuardOf(request);
    if (!guard) return;
    if (guard.csrf === 'script') {
      const verdict = checkBrowserRequest(request, ownOrigin);
      if (!verdict.allowed) return sendApiError(reply, 403, verdict.reason);
    }
    if (guard.rateLimit) {
      // The connection's peer address, as everywhere else in the BFF (it sets X-Forwarded-For from it).
      const verdict = await rateLimiter.take(guard.rateLimit, request.ip);
      if (!verdict.allowed) {
        reply.header('retry-after', String(verdict.retryAfterSeconds));
        return guard.failureStyle === 'navigation'
          ? sendNavigationFailure(reply, 'temporarily_unavailable')
          : sendApiError(reply, 429, 'rate_limited');
      }
    }
  });
}

/** Endpoints the SPA's scripts call: the CSRF rule, JSON refusals. */
export const calledByScript: RouteGuard = Object.freeze({ csrf: 'script', failureStyle: 'api' });

/** Top-level navigations that start or finish a sign-in: no header to check, failures on the login-failed route. */
export const signInNavigation: RouteGuard = Object.freeze({ csrf: 'navigation', failureStyle: 'navigation' });

/** `/bff/login` and `/bff/silent-login`: a sign-in navigation that writes a login transaction, so rate limited. */
export const startsSignIn: RouteGuard = Object.freeze({ ...signInNavigation, rateLimit: 'login' });
