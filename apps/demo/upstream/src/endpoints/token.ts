import type { FastifyInstance } from 'fastify';
import { authenticateClient } from '../client-authentication.js';
import { InvalidRequestError, UnsupportedGrantTypeError } from '../errors.js';
import type { GrantStore, IssuedTokens } from '../grant-store.js';
import { redeemAuthorizationCode } from '../grants/authorization-code.js';
import { redeemRefreshToken } from '../grants/refresh-token.js';
import type { ProviderConfig } from '../options.js';
import { formParams } from '../params.js';

/** Token-endpoint successes by grant type. */
export interface TokenCounts {
  authorizationCode: number;
  refreshToken: number;
}

/** The token endpoint (RFC 6749 §3.2): a form body, an authenticated client, then the grant. */
export function registerToken(app: FastifyInstance, config: ProviderConfig, store: GrantStore, counts: TokenCounts) {
  app.post('/oauth/token', async (request, reply) => {
    const params = formParams(request);
    const client = authenticateClient(config.clients, request.headers.authorization, params);
    let tokens: IssuedTokens;
    switch (params.get('grant_type')) {
      case 'authorization_code':
        tokens = redeemAuthorizationCode(store, client, params, config.now());
        counts.authorizationCode++;
        break;
      case 'refresh_token':
        tokens = redeemRefreshToken(store, client, params);
        counts.refreshToken++;
        break;
      case undefined:
        throw new InvalidRequestError('the grant_type parameter is required');
      default:
        throw new UnsupportedGrantTypeError('only authorization_code and refresh_token are supported');
    }
    // RFC 6749 §5.1: tokens must not be cached.
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send({
      access_token: tokens.accessToken,
      token_type: 'bearer',
      expires_in: tokens.expiresIn,
      refresh_token: tokens.refreshToken,
      scope: tokens.scope,
    });
  });
}
