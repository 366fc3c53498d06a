import { sourceAddress } from '@gatehouse/server-kit';
import type { FastifyInstance } from 'fastify';
import type { AsContext } from '../context.js';
import { answerOAuthFailure, noStore } from '../http/oauth-reply.js';
import { formParams } from '../http/request-params.js';
import { InvalidRequestError } from '../protocol/errors.js';
import { authenticateClient } from '../services/clients/authenticate-client.js';
import { verifyOwnToken } from '../services/tokens/verify-own-token.js';

/**
 * Revocation (RFC 7009), client-authenticated. A refresh token revokes its whole family (the grant);
 * an access token is revoked alone. Always 200 for tokens that are unknown, expired, already revoked
 * or another client's (which are left alone), whatever `token_type_hint` says.
 */
export function registerRevocation(app: FastifyInstance, context: AsContext): void {
  app.post('/revoke', { config: { failure: 'json' } }, async (request, reply) => {
    const authorization = request.headers.authorization;
    try {
      const params = formParams(request);
      const { client } = await authenticateClient(context.clientAuth, authorization, params, sourceAddress(request));
      const token = params.get('token');
      if (!token) throw new InvalidRequestError('token is required');
      const refresh = await context.refreshTokens.peek(token, client.client_id);
      if (refresh) {
        const revoked = await context.grants.revoke(refresh.grantId);
        context.events.emit('token_family_revoked', {
          client_id: client.client_id,
          sub: revoked?.sub,
          cause: 'revoked_by_client',
        });
      } else {
        const payload = await verifyOwnToken(
          context.keys,
          context.config.issuer,
          token,
          { types: ['at+jwt'] },
          context.now(),
        );
        if (payload && payload.client_id === client.client_id && typeof payload.jti === 'string') {
          if (payload.sub === payload.client_id) {
            const ttlSeconds = Math.max(1, (payload.exp ?? 0) - context.now() / 1000);
            await context.store.put('revoked-access-tokens', payload.jti, 1, { ttlSeconds });
          } else {
            await context.grants.forgetAccessToken(payload.jti);
          }
        }
      }
      return noStore(reply).code(200).send();
    } catch (error) {
      return answerOAuthFailure(request, reply, error);
    }
  });
}
