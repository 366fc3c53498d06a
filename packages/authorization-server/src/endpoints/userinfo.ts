import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AsContext } from '../context.js';
import { noStore } from '../http/oauth-reply.js';
import { InsufficientScopeError, InvalidRequestError, InvalidTokenError, type OAuthError } from '../protocol/errors.js';
import { readLiveAccessToken } from '../services/tokens/read-access-token.js';
import { claimsForScopes } from '../services/tokens/user-claims.js';

/**
 * UserInfo (OpenID Core §5.3), GET and POST, bearer token in the header only (RFC 6750 §2.1; query and
 * body tokens are ignored). No token: a bare `Bearer` challenge; a bad one: `invalid_token`; a token
 * without `openid` or a client's own token: `insufficient_scope`.
 */
export function registerUserinfo(app: FastifyInstance, context: AsContext): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    noStore(reply);
    try {
      const token = readBearer(request.headers.authorization);
      if (token === undefined) return reply.code(401).header('www-authenticate', 'Bearer realm="userinfo"').send();
      const payload = await readLiveAccessToken(context, token);
      if (!payload) throw new InvalidTokenError('the access token is invalid, expired or revoked');
      if (payload.sub === payload.client_id) throw new InsufficientScopeError('a client token carries no user');
      const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
      if (!scopes.includes('openid')) throw new InsufficientScopeError('the openid scope is required');
      const account = await context.accounts.findBySub(String(payload.sub));
      if (!account || account.disabled) throw new InvalidTokenError('the account is no longer active');
      return reply
        .type('application/json; charset=utf-8')
        .send({ sub: account.sub, ...claimsForScopes(account, scopes) });
    } catch (error) {
      if (
        error instanceof InvalidRequestError ||
        error instanceof InvalidTokenError ||
        error instanceof InsufficientScopeError
      ) {
        return sendBearerError(reply, error);
      }
      throw error;
    }
  };
  app.get('/userinfo', { config: { failure: 'json' } }, handler);
  app.post('/userinfo', { config: { failure: 'json' } }, handler);
}

function readBearer(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (!match || header.length > 16_384) throw new InvalidRequestError('the Authorization header is malformed');
  return match[1];
}

function sendBearerError(reply: FastifyReply, error: OAuthError) {
  const description = error.description.replace(/["\\]/g, '');
  const scope = error.code === 'insufficient_scope' ? ', scope="openid"' : '';
  return reply
    .code(error.status)
    .header(
      'www-authenticate',
      `Bearer realm="userinfo", error="${error.code}", error_description="${description}"${scope}`,
    )
    .type('application/json; charset=utf-8')
    .send({ error: error.code, error_description: error.description });
}
