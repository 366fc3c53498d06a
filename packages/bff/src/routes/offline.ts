import { buildAuthorizationUrl } from '@gatehouse/oidc-client';
import type { FastifyInstance } from 'fastify';
import type { BffContext } from '../context.js';
import { calledByScript, signInNavigation } from '../request-guard/route-guard.js';
import { sendApiError } from './api-error.js';
import { readCurrentSession } from './current-session.js';
import { parseReturnUrl } from './return-url.js';
import { revokeRefreshToken } from './revoke.js';

/**
 * Offline access, when `offlineAccess.enabled`: `GET /bff/offline/grant?returnUrl=` (a navigation by a
 * signed-in user) asks the provider for `offline_access` with `prompt=consent`, and the callback keeps
 * the resulting refresh token as the user's offline grant — apart from the session, which it leaves
 * alone. `GET /bff/offline` says whether there is one; `DELETE /bff/offline` revokes it at the
 * provider and forgets it. Server code then calls `offlineGrants.asUser(...)`.
 */
export function registerOffline(app: FastifyInstance, context: BffContext): void {
  const { config } = context;
  if (!config.offlineAccess.enabled) return;

  app.get(`${config.prefix}/offline/grant`, { config: { guard: signInNavigation } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const returnUrl = parseReturnUrl(query.returnUrl) ?? '/';
    const current = await readCurrentSession(context, request, reply);
    if (!current) {
      return reply.code(303).header('location', `${config.loginFailedPath}?error=login_required`).send();
    }
    const begun = await context.logins.begin(
      request.headers.cookie,
      { returnUrl, prompt: 'consent', purpose: 'offline' },
      context.now(),
    );
    const location = buildAuthorizationUrl(context.metadata, {
      clientId: config.clientId,
      redirectUri: context.redirectUri,
      scopes: [...new Set([...config.scopes, 'offline_access'])],
      state: begun.state,
      nonce: begun.nonce,
      codeChallenge: begun.codeChallenge,
      prompt: 'consent',
    });
    return reply
      .code(302)
      .header('set-cookie', begun.setCookie)
      .header('cache-control', 'no-store')
      .header('location', location)
      .send();
  });

  app.get(`${config.prefix}/offline`, { config: { guard: calledByScript } }, async (request, reply) => {
    const current = await readCurrentSession(context, request, reply);
    if (!current) return sendApiError(reply, 401, 'no_session');
    const grant = await context.offlineGrants.find(current.session.subject);
    return reply
      .header('cache-control', 'no-store')
      .send(grant ? { granted: true, scope: grant.scope, grantedAt: grant.grantedAt } : { granted: false });
  });

  app.delete(`${config.prefix}/offline`, { config: { guard: calledByScript } }, async (request, reply) => {
    const current = await readCurrentSession(context, request, reply);
    if (!current) return sendApiError(reply, 401, 'no_session');
    const refreshToken = await context.offlineGrants.remove(current.session.subject);
    if (refreshToken) {
      await revokeRefreshToken(context, refreshToken).catch((error: unknown) =>
        request.log.warn({ err: { type: (error as Error).name } }, 'offline grant revocation failed'),
      );
    }
    return reply.code(204).header('cache-control', 'no-store').send();
  });
}
