import type { FastifyInstance } from 'fastify';
import type { BffContext } from '../context.js';
import { accessTokenForSession } from '../proxy/session-token.js';
import { sendApiError } from './api-error.js';
import { readCurrentSession } from './current-session.js';

const scopePattern = /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/;

/**
 * `GET /bff/token[?scope=a b]` — the token-mediating mode, off unless `tokenMediating.enabled`: an
 * access token for the SPA to call an API directly, for the requested scopes (never more than the
 * login granted; a narrower set gets a narrower token). Never a refresh or ID token; `no-store`.
 * The CSRF rule applies like any script-called endpoint.
 */
export function registerToken(app: FastifyInstance, context: BffContext): void {
  if (!context.config.tokenMediating.enabled) return;
  app.get(`${context.config.prefix}/token`, async (request, reply) => {
    const { scope } = request.query as Record<string, unknown>;
    if (scope !== undefined && (typeof scope !== 'string' || scope.length > 1024 || !scopePattern.test(scope))) {
      return reply
        .code(400)
        .header('cache-control', 'no-store')
        .send({ error: 'invalid_request', reason: 'invalid_scope' });
    }
    const current = await readCurrentSession(context, request, reply);
    if (!current) return sendApiError(reply, 401, 'no_session');
    const scopes = typeof scope === 'string' ? scope.split(' ') : [];
    const result = await accessTokenForSession(context, current.sessionId, current, scopes);
    if (result.kind === 'ended') return sendApiError(reply, 401, result.reason);
    if (result.kind === 'refused') return sendApiError(reply, 403, result.reason);
    return reply
      .header('cache-control', 'no-store')
      .header('pragma', 'no-cache')
      .send({
        access_token: result.accessToken,
        token_type: 'Bearer',
        expires_in: Math.max(0, Math.floor((result.expiresAt - context.now()) / 1000)),
        scope: result.scope,
      });
  });
}
