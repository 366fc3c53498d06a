import { sourceAddress } from '@gatehouse/server-kit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimitClass, RateLimiter } from '../rate-limit/rate-limiter.js';
import { sendApiError } from '../routes/api-error.js';
import { type BrowserRequest, checkBrowserRequest } from './check-browser-request.js';
import { checkTopLevelNavigation } from './check-navigation.js';
import { checkWebSocketHandshake } from './check-websocket-handshake.js';

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
  /**
   * Only a top-level document navigation may reach it, when the browser says what the request is
   * (`Sec-Fetch-Mode`/`-Dest`): see {@link checkTopLevelNavigation}. Checked before the rate limit.
   */
  documentNavigationOnly?: boolean;
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

export interface GuardDecisionOptions {
  /** The BFF's own origin, for the CSRF origin check. */
  ownOrigin: string;
  rateLimiter: RateLimiter;
}

export interface RouteGuardOptions extends GuardDecisionOptions {
  /** Ends a navigation that failed, e.g. on the SPA's login-failed route with `code`. */
  sendNavigationFailure: (reply: FastifyReply, code: string) => FastifyReply;
}

export interface GuardedRequest extends BrowserRequest {
  /** The connection's peer address, which rate limits count by (the BFF puts it in `X-Forwarded-For`). */
  sourceAddress: string;
  /** A WebSocket handshake (`Origin` stands in for `x-csrf`; see {@link checkWebSocketHandshake}). */
  handshake?: boolean;
}

export type GuardVerdict =
  | { allowed: true }
  | { allowed: false; status: 400 | 403; reason: string }
  | { allowed: false; status: 429; reason: 'rate_limited'; retryAfterSeconds: number };

/**
 * The one decision of a route's guard, for requests (via {@link enforceRouteGuards}) and WebSocket
 * handshakes (which never reach Fastify's hooks) alike: the CSRF rule for `script` routes, then
 * {@link RouteGuard.documentNavigationOnly}, then the rate limit — last, so that requests refused
 * for free are never counted against their source.
 */
export async function decideRouteGuard(
  guard: RouteGuard,
  request: GuardedRequest,
  options: GuardDecisionOptions,
): Promise<GuardVerdict> {
  if (guard.csrf === 'script') {
    const verdict = request.handshake
      ? checkWebSocketHandshake(request, options.ownOrigin)
      : checkBrowserRequest(request, options.ownOrigin);
    if (!verdict.allowed) return verdict;
  }
  if (guard.documentNavigationOnly) {
    const verdict = checkTopLevelNavigation(request);
    if (!verdict.allowed) return verdict;
  }
  if (guard.rateLimit) {
    const verdict = await options.rateLimiter.take(guard.rateLimit, request.sourceAddress);
    if (!verdict.allowed) return { ...verdict, status: 429, reason: 'rate_limited' };
  }
  return { allowed: true };
}

/**
 * Enforces each route's declared guard ({@link decideRouteGuard}). It runs in `onRequest`, which
 * Fastify calls after the router has matched the route (on the decoded path), so `/bff/%75ser` is
 * guarded as `/bff/user` is — and before the body is read.
 */
export function enforceRouteGuards(app: FastifyInstance, options: RouteGuardOptions): void {
  const { sendNavigationFailure } = options;
  app.addHook('onRequest', async (request, reply) => {
    const guard = routeGuardOf(request);
    if (!guard) return;
    // The address as `trustedProxies` allow it to be believed, an IPv6 one by its /64 (one subscriber's).
    const verdict = await decideRouteGuard(
      guard,
      { headers: request.headers, sourceAddress: sourceAddress(request) },
      options,
    );
    if (verdict.allowed) return;
    if (verdict.status === 429) {
      reply.header('retry-after', String(verdict.retryAfterSeconds));
      // A sign-in is a page the user sees: the login-failed route, not JSON in the address bar.
      if (guard.failureStyle === 'navigation') return sendNavigationFailure(reply, 'temporarily_unavailable');
    }
    // Refused before it became a page (a CSRF failure, a subresource that is no navigation): JSON.
    return sendApiError(reply, verdict.status, verdict.reason);
  });
}

/** Endpoints the SPA's scripts call: the CSRF rule, JSON refusals. */
export const calledByScript: RouteGuard = Object.freeze({ csrf: 'script', failureStyle: 'api' });

/** Top-level navigations that start or finish a sign-in: no header to check, failures on the login-failed route. */
export const signInNavigation: RouteGuard = Object.freeze({ csrf: 'navigation', failureStyle: 'navigation' });

/**
 * `/bff/login` and `/bff/silent-login`: a sign-in navigation that writes a login transaction, so rate
 * limited — and top-level document navigations only, so no page can spend a user's limit through
 * the user's own browser.
 */
export const startsSignIn: RouteGuard = Object.freeze({
  ...signInNavigation,
  documentNavigationOnly: true,
  rateLimit: 'login',
});
