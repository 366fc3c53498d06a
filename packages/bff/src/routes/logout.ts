import type { FastifyInstance } from 'fastify';
import type { BffContext } from '../context.js';
import { calledByScript, type RouteGuard } from '../request-guard/route-guard.js';
import { serializeClearedSessionCookie } from '../session/session-cookie.js';
import { readCurrentSession } from './current-session.js';
import { revokeRefreshToken } from './revoke.js';

/** A top-level navigation to the provider's end-session URL, answered like an API when it fails. */
const continuesLogout: RouteGuard = Object.freeze({ csrf: 'navigation', failureStyle: 'api' });

/**
 * `POST /bff/logout` (CSRF header required): revokes the refresh token at the provider (RFC 7009),
 * deletes the session, clears the cookie, and sends the browser to the provider's end-session
 * endpoint with `id_token_hint` and `post_logout_redirect_uri`. A `fetch` that asks for JSON gets
 * `{ "redirectTo": url }` to navigate to (a cross-origin redirect is unreadable to `fetch`); anything
 * else gets a 303.
 *
 * The ID token must never reach the page's scripts, so the JSON answer does not carry the
 * end-session URL (which holds it) but a single-use continuation, `GET /bff/logout/continue?id=…`, a
 * top-level navigation answered with a 303 to the provider: the hint travels only in a `Location`
 * header the page cannot read.
 */
export function registerLogout(app: FastifyInstance, context: BffContext): void {
  const { config, metadata } = context;
  const postLogoutRedirectUri = `${config.publicUrl}${config.postLogoutRedirectPath}`;

  app.post(`${config.prefix}/logout`, { config: { guard: calledByScript } }, async (request, reply) => {
    const current = await readCurrentSession(context, request, reply);
    let redirectTo = postLogoutRedirectUri;
    if (current) {
      const { tokens } = current.session;
      if (await context.sessions.end(current.sessionId)) {
        context.metrics.signOut('logout');
        context.events.emit('session_ended', { cause: 'logout', sessions: 1, sub: current.session.subject });
      }
      if (tokens.refreshToken && metadata.revocation_endpoint) {
        await revokeRefreshToken(context, tokens.refreshToken).catch((error: unknown) =>
          request.log.warn({ err: { type: (error as Error).name } }, 'refresh token revocation failed at logout'),
        );
      }
      if (metadata.end_session_endpoint) {
        const url = new URL(metadata.end_session_endpoint);
        url.searchParams.set('id_token_hint', tokens.idToken);
        url.searchParams.set('post_logout_redirect_uri', postLogoutRedirectUri);
        url.searchParams.set('client_id', config.clientId);
        redirectTo = url.toString();
      }
    }
    reply.header('set-cookie', serializeClearedSessionCookie()).header('cache-control', 'no-store');
    if (!(request.headers.accept ?? '').includes('application/json')) {
      return reply.code(303).header('location', redirectTo).send();
    }
    if (redirectTo === postLogoutRedirectUri) return reply.send({ redirectTo });
    const id = await context.logoutContinuations.save(redirectTo);
    return reply.send({ redirectTo: `${config.publicUrl}${config.prefix}/logout/continue?id=${id}` });
  });

  app.get(`${config.prefix}/logout/continue`, { config: { guard: continuesLogout } }, async (request, reply) => {
    const id = new URLSearchParams(request.url.split('?')[1] ?? '').get('id');
    const target = await context.logoutContinuations.take(id);
    // Unknown, used, expired or unopenable: the session is gone anyway; land on the app's signed-out route.
    return reply
      .code(303)
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('location', target ?? postLogoutRedirectUri)
      .send();
  });
}
