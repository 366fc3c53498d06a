import { buildAuthorizationUrl } from '@gatehouse/oidc-client';
import type { FastifyInstance } from 'fastify';
import type { BffContext } from '../context.js';
import { parseScopeRequest, scopesToRequest } from '../login/requested-scopes.js';
import { startsSignIn } from '../request-guard/route-guard.js';
import { readSessionId } from '../session/session-cookie.js';
import { sessionStoreKey } from '../session/session-store.js';
import { sendLoginFailed } from './login-failed.js';
import { parseReturnUrl } from './return-url.js';

/**
 * `GET /bff/login?returnUrl=/path[&scope=…]` and `GET /bff/silent-login?returnUrl=/path[&scope=…]`:
 * top-level navigations that start the code flow (the latter with `prompt=none`). A `returnUrl` that
 * is not a local path is replaced by `/`, never followed. `scope` asks for more scopes than the
 * configured ones (incremental consent), only from `scopes` + `optionalScopes`; from a signed-in
 * session the flow is an upgrade of that session, for that user only.
 */
export function registerLogin(app: FastifyInstance, context: BffContext): void {
  const { config } = context;
  const allowedScopes = new Set([...config.scopes, ...config.optionalScopes]);
  for (const [path, fixedPrompt] of [
    ['login', undefined],
    ['silent-login', 'none'],
  ] as const) {
    app.get(`${config.prefix}/${path}`, { config: { guard: startsSignIn } }, async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const returnUrl = parseReturnUrl(query.returnUrl) ?? '/';
      const prompt = fixedPrompt ?? (query.prompt === 'login' ? 'login' : null);
      const asked = parseScopeRequest(query.scope, allowedScopes);
      if (asked.kind === 'refused') return sendLoginFailed(reply, config.loginFailedPath, 'invalid_scope');
      // A same-origin navigation, so the SameSite=Strict session cookie is here — it will not be on
      // the provider's redirect back — and the flow records the session the sign-in will replace.
      const current = readSessionId(request.headers.cookie);
      const now = context.now();
      const upgraded =
        asked.kind === 'allowed' && current ? (await context.sessions.load(current, now))?.session : undefined;
      const begun = await context.logins.begin(
        request.headers.cookie,
        {
          returnUrl,
          prompt,
          ...(current && { replacesSessionKey: sessionStoreKey(current) }),
          ...(upgraded && { upgradesSubject: upgraded.subject }),
        },
        now,
      );
      const location = buildAuthorizationUrl(context.metadata, {
        clientId: config.clientId,
        redirectUri: context.redirectUri,
        scopes:
          asked.kind === 'allowed'
            ? scopesToRequest(config.scopes, upgraded?.tokens.scope.split(' ') ?? [], asked.scopes, allowedScopes)
            : config.scopes,
        state: begun.state,
        nonce: begun.nonce,
        codeChallenge: begun.codeChallenge,
        ...(prompt ? { prompt } : {}),
      });
      return reply
        .code(302)
        .header('set-cookie', begun.setCookie)
        .header('cache-control', 'no-store')
        .header('location', location)
        .send();
    });
  }
}
