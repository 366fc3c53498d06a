import {
  fetchUserInfo,
  OidcClientError,
  ProviderUnavailableError,
  parseCallback,
  requestTokens,
} from '@gatehouse/oidc-client';
import type { JsonValue } from '@gatehouse/store';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { BffContext } from '../context.js';
import { signInNavigation } from '../request-guard/route-guard.js';
import { createSessionId, readSessionId, serializeSessionCookie } from '../session/session-cookie.js';
import { sessionStoreKey } from '../session/session-store.js';
import { sendLoginFailed } from './login-failed.js';
import { sendNavigationPage } from './navigation-page.js';
import { endReplacedSessions } from './replaced-sessions.js';
import { revokeRefreshToken } from './revoke.js';

/** ID-token claims that are protocol plumbing, not facts about the user: kept from the SPA. */
const protocolClaims = new Set([
  'aud',
  'exp',
  'iat',
  'nbf',
  'nonce',
  'at_hash',
  'c_hash',
  's_hash',
  'azp',
  'jti',
  'sid',
]);

/**
 * `GET /bff/callback`: the redirect URI. The login flow named by `state` is taken first, whatever
 * happens next, so a failed or replayed callback leaves neither state nor cookie behind. Then: `iss`
 * (RFC 9207), the code redeemed with PKCE and client authentication, the ID token validated, and a
 * session created under a **new** id — never one the browser sent. Failures end on the SPA's
 * login-failed route with an error code, never on a 500.
 */
export function registerCallback(app: FastifyInstance, context: BffContext): void {
  const { config, metadata } = context;

  app.get(`${config.prefix}/callback`, { config: { guard: signInNavigation } }, async (request, reply) => {
    const query = new URLSearchParams(request.url.slice(request.url.indexOf('?') + 1 || request.url.length));
    const result = parseCallback(query, {
      issuer: metadata.issuer,
      issuerParameterRequired: metadata.authorization_response_iss_parameter_supported === true,
    });
    const finished = await context.logins.finish(request.headers.cookie, result.state);
    if (finished.setCookie) reply.header('set-cookie', finished.setCookie);
    const flow = finished.flow;

    if (!flow) return loginFailed(reply, 'invalid_state');
    if (result.kind === 'invalid') return loginFailed(reply, 'invalid_callback');
    if (result.kind === 'error') {
      // A silent sign-in that the provider could not do without the user (no provider session,
      // consent missing) is no failure to show: the app just stays signed out where it was.
      if (flow.prompt === 'none') return sendQuietReturn(reply, flow.returnUrl);
      return loginFailed(reply, result.error);
    }

    try {
      const tokens = await requestTokens(
        metadata,
        { clientId: config.clientId, clientSecret: config.clientSecret },
        {
          grant_type: 'authorization_code',
          code: result.code,
          redirect_uri: context.redirectUri,
          code_verifier: flow.codeVerifier,
        },
        { fetch: context.fetch },
      );
      if (!tokens.id_token) return loginFailed(reply, 'id_token_missing');
      const now = context.now();
      const claims = await context.verifyIdToken(tokens.id_token, {
        clientId: config.clientId,
        nonce: flow.nonce,
        now,
      });
      if (flow.upgradesSubject !== undefined && claims.sub !== flow.upgradesSubject) {
        // An upgrade of Alice's session that came back signed in as somebody else (another account
        // at the provider, or a flow planted in her browser): it must not take her session's place
        // or sign her out. The other user's fresh grant is given back at once.
        request.log.warn({ event: 'scope_upgrade_refused' }, 'scope upgrade signed in as another user');
        if (tokens.refresh_token) {
          await revokeRefreshToken(context, tokens.refresh_token).catch((error: unknown) =>
            request.log.warn({ err: { type: (error as Error).name } }, 'refresh token revocation failed'),
          );
        }
        return loginFailed(reply, 'account_mismatch');
      }
      if (flow.purpose === 'offline') {
        // A grant of offline access, not a login: only for the user of this browser's session, and
        // only if the provider really granted it. The session itself is left as it was.
        const current = readSessionId(request.headers.cookie);
        const session = current ? await context.sessions.load(current, now) : undefined;
        if (!session || session.session.subject !== claims.sub) return loginFailed(reply, 'login_required');
        const granted = (tokens.scope ?? '').split(' ').includes('offline_access');
        if (!granted || !tokens.refresh_token) return loginFailed(reply, 'offline_access_denied');
        await context.offlineGrants.save(claims.sub, tokens.refresh_token, tokens.scope ?? '');
        return sendNavigationPage(reply, flow.returnUrl);
      }
      // Profile claims often come from UserInfo only; the ID token's own claims win on conflict.
      const userInfo = await fetchUserInfo(metadata, tokens.access_token, claims.sub, { fetch: context.fetch }).catch(
        () => undefined,
      );
      const userClaims = { ...userInfo, ...claims };

      // A new id, never one the browser sent (no fixation).
      const sessionId = createSessionId();
      const providerSessionId = typeof claims.sid === 'string' ? claims.sid : null;
      await context.sessions.create(
        sessionId,
        {
          issuer: metadata.issuer,
          subject: claims.sub,
          providerSessionId,
          // Claims came out of JSON (ID token, UserInfo), so they are JSON values.
          claims: Object.fromEntries(
            Object.entries(userClaims).filter(([name]) => !protocolClaims.has(name)),
          ) as Record<string, JsonValue>,
          tokens: {
            accessToken: tokens.access_token,
            accessTokenExpiresAt: now + (tokens.expires_in ?? 300) * 1000,
            refreshToken: tokens.refresh_token ?? null,
            idToken: tokens.id_token,
            scope: tokens.scope ?? config.scopes.join(' '),
          },
          createdAt: now,
        },
        now,
      );
      context.events.emit('session_started', { sub: claims.sub });
      // The sign-in replaces the session this browser had: the one recorded when the login started
      // (the Strict cookie does not come with the provider's redirect) and any its cookie names now.
      const cookieNow = readSessionId(request.headers.cookie);
      await endReplacedSessions(
        context,
        [flow.replacesSessionKey, cookieNow === undefined ? undefined : sessionStoreKey(cookieNow)],
        { subject: claims.sub, providerSessionId },
        request.log,
      );
      reply.header('set-cookie', serializeSessionCookie(sessionId));
      return sendNavigationPage(reply, flow.returnUrl);
    } catch (error) {
      if (error instanceof OidcClientError) {
        request.log.warn({ err: { type: error.name, code: error.code } }, 'login callback refused');
        return loginFailed(reply, error instanceof ProviderUnavailableError ? 'provider_unavailable' : 'login_failed');
      }
      throw error;
    }
  });

  const loginFailed = (reply: FastifyReply, code: string) => sendLoginFailed(reply, config.loginFailedPath, code);
}

/** Back to `returnUrl` (a checked local path) with nothing set but the cleared login binding. */
function sendQuietReturn(reply: FastifyReply, returnUrl: string): FastifyReply {
  return reply.code(303).header('cache-control', 'no-store').header('location', returnUrl).send();
}
