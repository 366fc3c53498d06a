import { sourceAddress } from '@gatehouse/server-kit';
import type { FastifyInstance } from 'fastify';
import type { AsContext } from '../context.js';
import { answerOAuthFailure, noStore } from '../http/oauth-reply.js';
import { formParams } from '../http/request-params.js';
import { InvalidClientError, InvalidRequestError } from '../protocol/errors.js';
import { authenticateClient } from '../services/clients/authenticate-client.js';
import { readLiveAccessToken } from '../services/tokens/read-access-token.js';

/**
 * Introspection (RFC 7662), for authenticated clients. Live access tokens of any client (resource
 * servers introspect others' tokens) and the caller's own current refresh tokens are active; anything
 * else — expired, revoked, unknown, malformed, foreign — is exactly `{"active":false}`.
 */
export function registerIntrospection(app: FastifyInstance, context: AsContext): void {
  app.post('/introspect', { config: { failure: 'json' } }, async (request, reply) => {
    const authorization = request.headers.authorization;
    try {
      const params = formParams(request);
      const { client, method } = await authenticateClient(
        context.clientAuth,
        authorization,
        params,
        sourceAddress(request),
      );
      // Naming a public client is not authentication: introspection would become a token scanner.
      if (method === 'none') throw new InvalidClientError('introspection requires client authentication');
      const token = params.get('token');
      if (!token) throw new InvalidRequestError('token is required');
      noStore(reply).type('application/json; charset=utf-8');
      const payload = await readLiveAccessToken(context, token);
      if (payload) {
        return reply.send({
          active: true,
          token_type: 'Bearer',
          scope: payload.scope,
          client_id: payload.client_id,
          sub: payload.sub,
          aud: payload.aud,
          iss: payload.iss,
          exp: payload.exp,
          iat: payload.iat,
          jti: payload.jti,
          ...(payload.auth_time === undefined ? {} : { auth_time: payload.auth_time }),
        });
      }
      const refresh = await context.refreshTokens.peek(token, client.client_id);
      const grant = refresh?.current ? await context.grants.find(refresh.grantId) : undefined;
      if (grant) {
        return reply.send({
          active: true,
          token_type: 'refresh_token',
          scope: grant.scopes.join(' '),
          client_id: grant.clientId,
          sub: grant.sub,
          iss: context.config.issuer,
          exp: Math.floor(grant.expiresAt / 1000),
        });
      }
      return reply.send({ active: false });
    } catch (error) {
      return answerOAuthFailure(request, reply, error);
    }
  });
}
