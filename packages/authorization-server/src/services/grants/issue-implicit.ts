import type { AuthorizationServerConfig } from '../../config/as-config.js';
import type { AuthorizationRequest } from '../../protocol/authorization-request.js';
import { AccessDeniedError } from '../../protocol/errors.js';
import type { Grant } from '../../protocol/grant.js';
import type { AccountStore } from '../../stores/account-store.js';
import type { GrantStore } from '../../stores/grant-store.js';
import type { KeyRing } from '../../stores/key-ring.js';
import type { LoadedSession, ProviderSessions } from '../../stores/provider-sessions.js';
import { signAccessToken } from '../tokens/access-token.js';
import { signIdToken } from '../tokens/id-token.js';

/** What answering an implicit request uses. */
export interface ImplicitIssuer {
  keys: KeyRing;
  accounts: Pick<AccountStore, 'findBySub'>;
  grants: Pick<GrantStore, 'newGrantId' | 'create' | 'recordAccessToken'>;
  sessions: Pick<ProviderSessions, 'addClient'>;
  config: Pick<
    AuthorizationServerConfig,
    'issuer' | 'accessTokenSigningAlg' | 'implicitAccessTokenTtlSeconds' | 'idTokenTtlSeconds'
  >;
  now: () => number;
}

/**
 * The legacy implicit grant's answer (RFC 6749 §4.2.2, OpenID Core §3.2.2.5), sent in the fragment:
 * an access token lasting `implicitAccessTokenTtlSeconds`, recorded under a new grant tied to the provider
 * session (so logout ends it; `offline_access` was refused earlier), never a refresh token; for
 * `id_token token` also an ID token with the request's `nonce` and the access token's `at_hash`.
 * The ID token carries no profile claims: with an access token they come from userinfo (OpenID Core §5.4).
 */
export async function issueImplicit(
  deps: ImplicitIssuer,
  request: AuthorizationRequest,
  session: LoadedSession,
): Promise<Record<string, string>> {
  const { config } = deps;
  const now = deps.now();
  const ttlSeconds = config.implicitAccessTokenTtlSeconds;
  const { sub, sid, authTime, amr } = session.session;
  const account = await deps.accounts.findBySub(sub);
  if (!account || account.disabled) throw new AccessDeniedError('the account is no longer active');
  const grant: Grant = {
    grantId: deps.grants.newGrantId(),
    sub,
    clientId: request.clientId,
    scopes: request.scopes,
    audience: request.audience,
    authTime,
    amr,
    sid,
    // Nothing outlives the access token: no refresh token hangs from this grant.
    expiresAt: now + ttlSeconds * 1000,
    offline: false,
    revoked: false,
  };
  await deps.grants.create(grant);
  const access = await signAccessToken(
    deps.keys,
    config.accessTokenSigningAlg,
    config.issuer,
    { sub, clientId: request.clientId, audience: request.audience, scopes: request.scopes, authTime, amr },
    ttlSeconds,
    now,
  );
  await deps.grants.recordAccessToken(access.jti, grant.grantId, access.expiresAt);
  await deps.sessions.addClient(session, request.clientId);
  const values: Record<string, string> = {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: String(ttlSeconds),
    scope: request.scopes.join(' '),
  };
  if (request.responseType === 'id_token token') {
    values.id_token = await signIdToken(
      deps.keys,
      config.issuer,
      {
        sub,
        clientId: request.clientId,
        nonce: request.nonce,
        authTime,
        amr,
        sid,
        accessToken: access.token,
        claims: {},
      },
      config.idTokenTtlSeconds,
      now,
    );
  }
  return values;
}
