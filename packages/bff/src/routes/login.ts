import { buildAuthorizationUrl } from '@gatehouse/oidc-client';
import type { FastifyInstance } from 'fastify';
import type { BffContext } from '../context.js';
import { beginLogin } from '../login/login-transactions.js';
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
    app.get(`${config.prefix}/${path}`, async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const returnUrl = parseReturnUrl(query.returnUrl) ?? '/';
      const prompt = fixedPrompt ?? (query.prompt === 'login' ? 'login' : null);
      const begun = await beginLogin(context.store, request.headers.cookie, { returnUrl, prompt }, context.now());
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
