import { allowedResources } from '../../checks/client-resources.js';
import type { AuthorizationServerConfig } from '../../config/as-config.js';
import type { Params } from '../../primitives/params.js';
import type { RegisteredClient } from '../../protocol/client-metadata.js';
import {
  InvalidRequestError,
  InvalidScopeError,
  InvalidTargetError,
  UnauthorizedClientError,
} from '../../protocol/errors.js';
import { accessTokenType } from '../../protocol/grant-types.js';
import type { AccountStore } from '../../stores/account-store.js';
import type { GrantStore } from '../../stores/grant-store.js';
import { signAccessToken } from '../tokens/access-token.js';
import type { TokenResponse } from '../tokens/issue-user-tokens.js';
import type { LiveAccessTokenReader } from '../tokens/read-access-token.js';
import { readLiveAccessToken } from '../tokens/read-access-token.js';
import type { UpstreamTokenExchangeDeps } from './upstream-token-exchange.js';
import {
  exchangeForUpstreamToken,
  type UpstreamTokenResponse,
  upstreamAudiencePrefix,
} from './upstream-token-exchange.js';

/** What the token-exchange grant uses. */
export type TokenExchangeDeps = LiveAccessTokenReader &
  UpstreamTokenExchangeDeps & {
    accounts: Pick<AccountStore, 'findBySub'>;
    grants: Pick<GrantStore, 'grantOfAccessToken' | 'find' | 'recordAccessToken'>;
    config: Pick<
      AuthorizationServerConfig,
      'resources' | 'accessTokenSigningAlg' | 'accessTokenTtlSeconds' | 'longLivedTokenTtlSeconds'
    >;
  };

/**
 * The token-exchange grant (RFC 8693), for confidential clients and their own user access tokens
 * only. The new token is never wider than the subject token: a subset of its scopes, one audience
 * (the subject's, or another configured resource). Its lifetime is `longLivedTokenTtlSeconds` for clients
 * registered with `long_lived_tokens`, else `accessTokenTtlSeconds`, and never past the grant's end. It hangs
 * from the subject token's grant, so whatever revokes the grant ends it too. No refresh or ID token.
 *
 * A subject token that is not ours, not live, another client's or a client's own (client
 * credentials) is `invalid_request`, as RFC 8693 §2.2.2 requires for an unacceptable subject token.
 */
export async function exchangeToken(
  deps: TokenExchangeDeps,
  client: RegisteredClient,
  params: Params,
): Promise<TokenResponse | UpstreamTokenResponse> {
  // Registration already refuses the grant for public clients; a stored client from before stays refused.
  if (client.isPublic) throw new UnauthorizedClientError('token exchange needs a confidential client');
  const subjectToken = params.get('subject_token');
  if (!subjectToken) throw new InvalidRequestError('subject_token is required');
  const subjectTokenType = params.get('subject_token_type');
  if (!subjectTokenType) throw new InvalidRequestError('subject_token_type is required');
  if (subjectTokenType !== accessTokenType)
    throw new InvalidRequestError(`subject_token_type must be ${accessTokenType}`);
  const requestedType = params.get('requested_token_type');
  if (requestedType !== undefined && requestedType !== accessTokenType)
    throw new InvalidRequestError(`requested_token_type must be ${accessTokenType}`);
  // Delegation (an `act` claim) is not offered; ignoring the actor would silently turn it into impersonation.
  if (params.has('actor_token') || params.has('actor_token_type'))
    throw new InvalidRequestError('actor_token is not supported');

  const subject = await readLiveAccessToken(deps, subjectToken);
  if (!subject) throw new InvalidRequestError('subject_token is not an active access token of this provider');
  if (subject.client_id !== client.client_id)
    throw new InvalidRequestError('subject_token was issued to another client');
  if (subject.sub === subject.client_id)
    throw new InvalidRequestError('subject_token is a client credentials token; only user tokens are exchanged');
  const grantId = await deps.grants.grantOfAccessToken(subject.jti as string);
  const grant = grantId === undefined ? undefined : await deps.grants.find(grantId);
  if (!grant) throw new InvalidRequestError('subject_token is not an active access token of this provider');
  const account = await deps.accounts.findBySub(grant.sub);
  if (!account || account.disabled) throw new InvalidRequestError('the account is no longer active');

  const audienceParam = params.get('audience');
  if (audienceParam?.startsWith(upstreamAudiencePrefix)) {
    if (params.has('resource')) throw new InvalidTargetError('name one target: audience or resource');
    return exchangeForUpstreamToken(deps, client, grant.sub, audienceParam, params.get('scope'));
  }
  const scopes = chooseScopes(params.get('scope'), subject.scope, client);
  const audience = chooseAudience(params, subject.aud, allowedResources(client, deps.config.resources));

  const { config } = deps;
  const now = deps.now();
  const wanted = client.long_lived_tokens ? config.longLivedTokenTtlSeconds : config.accessTokenTtlSeconds;
  // Never outlive the grant: past its end nothing could revoke the token, and introspection would disagree with it.
  const ttlSeconds = Math.min(wanted, Math.floor((grant.expiresAt - now) / 1000));
  if (ttlSeconds < 1) throw new InvalidRequestError('subject_token is not an active access token of this provider');
  const access = await signAccessToken(
    deps.keys,
    config.accessTokenSigningAlg,
    config.issuer,
    { sub: grant.sub, clientId: client.client_id, audience, scopes, authTime: grant.authTime, amr: grant.amr },
    ttlSeconds,
    now,
  );
  await deps.grants.recordAccessToken(access.jti, grant.grantId, access.expiresAt);
  return {
    access_token: access.token,
    issued_token_type: accessTokenType,
    token_type: 'Bearer',
    expires_in: ttlSeconds,
    scope: scopes.join(' '),
  };
}

/** RFC 8693 §2.1 `scope`: a subset of the subject token's (and the client's) scopes; default all of them. */
function chooseScopes(requested: string | undefined, subjectScope: unknown, client: RegisteredClient): string[] {
  const held = (typeof subjectScope === 'string' ? subjectScope.split(' ') : []).filter(
    (scope) => scope !== '' && client.scopes.has(scope),
  );
  const scopes = requested === undefined ? held : [...new Set(requested.split(' ').filter(Boolean))];
  const wider = scopes.filter((scope) => !held.includes(scope));
  if (wider.length > 0)
    throw new InvalidScopeError(`scope exceeds the subject token: ${wider.join(' ').slice(0, 200)}`);
  if (scopes.length === 0) throw new InvalidScopeError('no scope left to issue');
  return scopes;
}

/**
 * RFC 8693 §2.1 `audience` / `resource` (RFC 8707): one target, a configured resource; default the
 * subject token's audience. Tokens carry a single audience, so the exchange can move it, never add one.
 */
function chooseAudience(params: Params, subjectAudience: unknown, resources: readonly string[]): string {
  const audience = params.get('audience');
  const resource = params.get('resource');
  if (audience !== undefined && resource !== undefined && audience !== resource)
    throw new InvalidTargetError('name one target: audience or resource');
  const target = audience ?? resource;
  if (target === undefined) {
    if (typeof subjectAudience !== 'string') throw new InvalidRequestError('subject_token has no single audience');
    return subjectAudience;
  }
  if (!resources.includes(target))
    throw new InvalidTargetError('the target is not an API this provider issues tokens for');
  return target;
}
