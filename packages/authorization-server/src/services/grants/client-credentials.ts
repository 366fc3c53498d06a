import { checkResource } from '../../checks/check-resource.js';
import { allowedResources } from '../../checks/client-resources.js';
import type { AuthorizationServerConfig } from '../../config/as-config.js';
import type { Params } from '../../primitives/params.js';
import type { RegisteredClient } from '../../protocol/client-metadata.js';
import { InvalidScopeError } from '../../protocol/errors.js';
import type { KeyRing } from '../../stores/key-ring.js';
import { signAccessToken } from '../tokens/access-token.js';
import type { TokenResponse } from '../tokens/issue-user-tokens.js';

/** What the client-credentials grant uses. */
export interface ClientTokenIssuer {
  keys: KeyRing;
  config: Pick<AuthorizationServerConfig, 'issuer' | 'resources' | 'accessTokenSigningAlg' | 'accessTokenTtlSeconds'>;
  now: () => number;
}

/** Scopes that only make sense for a user; a client acting for itself never gets them. */
const userScopes = new Set(['openid', 'profile', 'email', 'offline_access', 'address', 'phone']);

/**
 * The `client_credentials` grant (RFC 6749 §4.4): a token whose `sub` is the client itself, no user
 * claims, no refresh or ID token. Scopes default to the client's registered non-user scopes; asking for
 * one it may not have is `invalid_scope`.
 */
export async function clientCredentials(
  deps: ClientTokenIssuer,
  client: RegisteredClient,
  params: Params,
): Promise<TokenResponse> {
  const allowed = [...client.scopes].filter((scope) => !userScopes.has(scope));
  const requested = params.get('scope');
  const scopes = requested === undefined ? allowed : [...new Set(requested.split(' ').filter(Boolean))];
  const refused = scopes.filter((scope) => !allowed.includes(scope));
  if (refused.length > 0)
    throw new InvalidScopeError(`this client may not request: ${refused.join(' ').slice(0, 200)}`);
  const audience = checkResource(
    params.get('resource'),
    allowedResources(client, deps.config.resources),
    deps.config.issuer,
  );
  const { config } = deps;
  const access = await signAccessToken(
    deps.keys,
    config.accessTokenSigningAlg,
    config.issuer,
    { sub: client.client_id, clientId: client.client_id, audience, scopes },
    config.accessTokenTtlSeconds,
    deps.now(),
  );
  return {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: config.accessTokenTtlSeconds,
    scope: scopes.join(' '),
  };
}
