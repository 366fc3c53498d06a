import { createHash } from 'node:crypto';
import { LogoutTokenError, logoutTokenMaxAgeSeconds, verifyLogoutToken } from '@gatehouse/oidc-client';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { JWTVerifyGetKey } from 'jose';
import type { BffContext } from '../context.js';
import type { RouteGuard } from '../request-guard/route-guard.js';
import { revokeRefreshToken } from './revoke.js';

/** Form bodies for this endpoint are small: a logout token and nothing else. */
const maxBodyBytes = 16 * 1024;

/** Called by the provider's server, authenticated by its signed logout token alone. */
const authenticatedByLogoutToken: RouteGuard = Object.freeze({ csrf: 'own-credentials', failureStyle: 'api' });

/**
 * `POST /bff/backchannel-logout`: the provider's server-to-server logout (OpenID Back-Channel Logout
 * 1.0). Authenticated by its token alone — no cookie, no CSRF header. A valid, fresh, first-seen
 * token ends every matching session on every instance (by `sid`, else by `sub`) and revokes their
 * refresh tokens; 200 even when no session matched. Any fault: 400 JSON.
 */
export function registerBackchannelLogout(app: FastifyInstance, context: BffContext, jwks: JWTVerifyGetKey): void {
  const { config, metadata } = context;
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: maxBodyBytes },
      (_request, body, done) => done(null, new URLSearchParams(body as string)),
    );
    const options = { config: { guard: authenticatedByLogoutToken } };
    scope.post(`${config.prefix}/backchannel-logout`, options, async (request, reply) => {
      const form = request.body instanceof URLSearchParams ? request.body : undefined;
      const tokens = form?.getAll('logout_token') ?? [];
      if (tokens.length !== 1 || !tokens[0]) {
        context.events.emit('backchannel_logout_refused', { reason: 'malformed' });
        return refuse(reply, 'exactly one logout_token is required');
      }
      let logout: Awaited<ReturnType<typeof verifyLogoutToken>>;
      try {
        logout = await verifyLogoutToken(tokens[0], metadata, jwks, {
          clientId: config.clientId,
          now: context.now(),
          signingAlgorithm: config.idTokenSigningAlg,
          trustedAudiences: config.idTokenTrustedAudiences,
        });
      } catch (error) {
        if (!(error instanceof LogoutTokenError)) throw error;
        context.events.emit('backchannel_logout_refused', { reason: 'invalid_token', check: error.reason });
        context.metrics.backchannel('refused');
        return refuse(reply, 'the logout_token is not valid');
      }
      // Each token is used once (its jti remembered for as long as it could be accepted).
      // Keyed by a hash: the jti is the provider's string, and store ids have rules of their own.
      const jtiKey = createHash('sha256').update(`${metadata.issuer} ${logout.jti}`).digest('base64url');
      const firstUse = await context.store.putIfAbsent('bff_logout_jti', jtiKey, true, {
        ttlSeconds: logoutTokenMaxAgeSeconds + 60,
      });
      if (firstUse === undefined) {
        context.metrics.backchannel('replayed');
        context.events.emit('backchannel_logout_refused', { reason: 'replayed' });
        return refuse(reply, 'the logout_token was already used');
      }

      const ended = logout.sid
        ? await context.sessions.endAllOfProviderSession(metadata.issuer, logout.sid)
        : await context.sessions.endAllOfUser(metadata.issuer, logout.sub as string);
      for (const refreshToken of ended.refreshTokens) {
        await revokeRefreshToken(context, refreshToken).catch(() => undefined);
      }
      context.events.emit('backchannel_logout_received', { sessions: ended.ended, sub: logout.sub });
      context.metrics.backchannel('accepted');
      context.metrics.signOut('backchannel', ended.ended);
      if (ended.ended > 0)
        context.events.emit('session_ended', { cause: 'backchannel', sessions: ended.ended, sub: logout.sub });
      return reply.code(200).header('cache-control', 'no-store').send();
    });
  });
}

function refuse(reply: FastifyReply, description: string): FastifyReply {
  return reply
    .code(400)
    .header('cache-control', 'no-store')
    .send({ error: 'invalid_request', error_description: description });
}
