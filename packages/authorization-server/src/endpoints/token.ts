import { classifyFailure, sourceAddress } from '@gatehouse/server-kit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AsContext } from '../context.js';
import { answerOAuthFailure, noStore } from '../http/oauth-reply.js';
import { formParams } from '../http/request-params.js';
import type { Params } from '../primitives/params.js';
import type { RegisteredClient } from '../protocol/client-metadata.js';
import {
  InvalidRequestError,
  OAuthError,
  type OAuthErrorCode,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
} from '../protocol/errors.js';
import { oneTimeCodeGrantType, tokenExchangeGrantType } from '../protocol/grant-types.js';
import { authenticateClient } from '../services/clients/authenticate-client.js';
import { redeemAuthorizationCode } from '../services/grants/authorization-code.js';
import { clientCredentials } from '../services/grants/client-credentials.js';
import { createOneTimeCodes, redeemOneTimeCode } from '../services/grants/one-time-code.js';
import { refreshTokens } from '../services/grants/refresh-token.js';
import { exchangeToken } from '../services/grants/token-exchange.js';
import type { UpstreamTokenResponse } from '../services/grants/upstream-token-exchange.js';
import type { TokenResponse } from '../services/tokens/issue-user-tokens.js';
import { allowTokenCors } from './token-cors.js';

/** A grant type's handler: checks the request and returns the token response (or throws an `OAuthError`). */
type GrantHandler = (
  context: AsContext,
  client: RegisteredClient,
  params: Params,
) => Promise<TokenResponse | UpstreamTokenResponse>;

/**
 * The token endpoint (RFC 6749 §3.2): form body only, one client authentication method, then the
 * grant. Every answer is JSON with `Cache-Control: no-store` and no cookie.
 */
export function registerToken(app: FastifyInstance, context: AsContext): void {
  const oneTimeCodes = createOneTimeCodes(context);
  const grants: Readonly<Record<string, GrantHandler>> = {
    authorization_code: redeemAuthorizationCode,
    refresh_token: refreshTokens,
    client_credentials: clientCredentials,
    [tokenExchangeGrantType]: exchangeToken,
    [oneTimeCodeGrantType]: (grantContext, client, params) =>
      redeemOneTimeCode(grantContext, oneTimeCodes, client, params),
  };
  // A closed set of label values, whatever grant_type a stranger sends.
  const grantLabel = (grantType: string | undefined) =>
    grantType === undefined ? 'none' : Object.hasOwn(grants, grantType) ? grantType : 'other';
  app.post('/token', { config: { failure: 'json' } }, async (request: FastifyRequest, reply: FastifyReply) => {
    const authorization = request.headers.authorization;
    let grantType: string | undefined;
    try {
      const params = formParams(request);
      grantType = params.get('grant_type');
      if (!grantType) throw new InvalidRequestError('grant_type is required');
      const { client } = await authenticateClient(context.clientAuth, authorization, params, sourceAddress(request));
      allowTokenCors(request, reply, client);
      if (!Object.hasOwn(grants, grantType))
        throw new UnsupportedGrantTypeError(`grant_type ${grantType.slice(0, 60)} is not supported`);
      const handle = grants[grantType] as GrantHandler;
      if (!(client.grant_types as readonly string[]).includes(grantType)) {
        throw new UnauthorizedClientError(`this client may not use ${grantType}`);
      }
      const response = await handle(context, client, params);
      context.metrics.tokenRequest(grantLabel(grantType), 'issued');
      return noStore(reply).type('application/json; charset=utf-8').send(response);
    } catch (error) {
      context.metrics.tokenRequest(grantLabel(grantType), failureOutcome(error));
      return answerOAuthFailure(request, reply, error);
    }
  });
}

/** A failed token request's `outcome` label: its OAuth error code; a store outage or a drain is `temporarily_unavailable`. */
function failureOutcome(error: unknown): OAuthErrorCode {
  if (error instanceof OAuthError) return error.code;
  return classifyFailure(error).status === 503 ? 'temporarily_unavailable' : 'server_error';
}
