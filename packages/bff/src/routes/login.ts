import { buildAuthorizationUrl } from '@gatehouse/oidc-client';
import type { FastifyInstance } from 'fastify';
import type { BffContext } from '../context.js';
import { startsSignIn } from '../request-guard/route-guard.js';
import { readSessionId } from '../session/session-cookie.js';
import { sessionStoreKey } from '../session/session-store.js';
import { parseReturnUrl } from './return-url.js';

/**
 * `GET /bff/login?returnUrl=/path` and `GET /bff/silent-login?returnUrl=/path`: top-level
 * navigations that start the code flow (the latter with `prompt=none`). A `returnUrl` that is not a
 * local path is replaced by `/`, never followed.
 */
export function registerLogin(app: FastifyInstance, context: BffContext): void {
  const { config } = context;
  for (const [path, fixedPrompt] of [
    ['login', undefined],
    ['silent-login', 'none'],
  ] as const) {
    app.get(`${config.prefix}/${path}`, { config: { guard: startsSignIn } }, async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const returnUrl = parseReturnUrl(query.returnUrl) ?? '/';
      const prompt = fixedPrompt ?? (query.prompt === 'login' ? 'login' : null);
      // A same-origin navigation, so the SameSite=Strict session cookie is here — it will not be on
      // the provider's redirect back — and the flow records the session the sign-in will replace.
      const current = readSessionId(request.headers.cookie);
      const begun = await context.logins.begin(
        request.headers.cookie,
        { returnUrl, prompt, ...(current && { replacesSessionKey: sessionStoreKey(current) }) },
        context.now(),
      );
      const location = buildAuthorizationUrl(context.metadata, {
        clientId: config.clientId,
        redirectUri: context.redirectUri,
        scopes: config.scopes,
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
