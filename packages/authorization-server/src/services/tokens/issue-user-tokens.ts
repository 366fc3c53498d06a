import type { AuthorizationServerConfig } from '../../config/as-config.js';
import type { Account } from '../../protocol/account.js';
import { InvalidGrantError } from '../../protocol/errors.js';
import type { Grant } from '../../protocol/grant.js';
import type { AccountStore } from '../../stores/account-store.js';
import type { GrantStore } from '../../stores/grant-store.js';
import type { KeyRing } from '../../stores/key-ring.js';
import { signAccessToken } from './access-token.js';
import { signIdToken } from './id-token.js';
import { claimsForScopes } from './user-claims.js';

/** What issuing a user's tokens uses. */
export interface UserTokenIssuer {
  keys: KeyRing;
  accounts: Pick<AccountStore, 'findBySub'>;
  grants: Pick<GrantStore, 'recordAccessToken'>;
  config: Pick<
    AuthorizationServerConfig,
    'issuer' | 'accessTokenSigningAlg' | 'accessTokenTtlSeconds' | 'idTokenTtlSeconds'
  >;
  now: () => number;
}

/** A successful token response (RFC 6749 §5.1, OpenID Core §3.1.3.3). */
export interface TokenResponse {
  [key: string]: string | number | undefined;
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

export interface UserTokenOptions {
  /** The access token's scopes (the grant's, or narrower). */
  scopes: readonly string[];
  nonce?: string | undefined;
  refreshToken?: string | undefined;
  /** The grant's account, already being read (the refresh grant starts it alongside the rotation). */
  account?: Promise<Account | undefined> | undefined;
}

/**
 * Mints a user's access token (recorded under its grant, so revoking the grant ends it) and, when
 * `openid` is granted, an ID token with the same `sub`, `auth_time` and `sid` as at login.
 */
export async function issueUserTokens(
  deps: UserTokenIssuer,
  grant: Grant,
  options: UserTokenOptions,
): Promise<TokenResponse> {
  const { config } = deps;
  const now = deps.now();
  const account = await (options.account ?? deps.accounts.findBySub(grant.sub));
  if (!account || account.disabled) throw new InvalidGrantError('the account is no longer active');
  const access = await signAccessToken(
    deps.keys,
    config.accessTokenSigningAlg,
    config.issuer,
    {
      sub: grant.sub,
      clientId: grant.clientId,
      audience: grant.audience,
      scopes: options.scopes,
      authTime: grant.authTime,
      amr: grant.amr,
    },
    config.accessTokenTtlSeconds,
    now,
  );
  await deps.grants.recordAccessToken(access.jti, grant.grantId, access.expiresAt);
  const response: TokenResponse = {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: config.accessTokenTtlSeconds,
    scope: options.scopes.join(' '),
  };
  if (options.refreshToken) response.refresh_token = options.refreshToken;
  if (grant.scopes.includes('openid')) {
    response.id_token = await signIdToken(
      deps.keys,
      config.issuer,
      {
        sub: grant.sub,
        clientId: grant.clientId,
        nonce: options.nonce,
        authTime: grant.authTime,
        amr: grant.amr,
        sid: grant.sid,
        accessToken: access.token,
        claims: claimsForScopes(account, options.scopes),
      },
      config.idTokenTtlSeconds,
      now,
    );
  }
  return response;
}
