import { createHash } from 'node:crypto';
import type { Store } from '@gatehouse/store';
import type { AuthorizationServerConfig } from '../../config/as-config.js';
import type { Params } from '../../primitives/params.js';
import { safeEqual, sha256 } from '../../primitives/random.js';
import type { RegisteredClient } from '../../protocol/client-metadata.js';
import { InvalidGrantError, InvalidRequestError } from '../../protocol/errors.js';
import type { GrantStore } from '../../stores/grant-store.js';
import type { RefreshTokens } from '../../stores/refresh-tokens.js';
import type { AsSecurityEvents } from '../../telemetry/security-events.js';
import type { UserTokenIssuer } from '../tokens/issue-user-tokens.js';
import { issueUserTokens, type TokenResponse } from '../tokens/issue-user-tokens.js';
import type { CodeRecord } from './issue-code.js';

/** What redeeming an authorization code uses. */
export type CodeGrantDeps = UserTokenIssuer & {
  store: Pick<Store, 'take' | 'get'>;
  grants: Pick<GrantStore, 'create' | 'revoke'>;
  refreshTokens: Pick<RefreshTokens, 'issue'>;
  config: Pick<AuthorizationServerConfig, 'refreshTokenTtlSeconds' | 'refreshTokenIdleTtlSeconds'>;
  events: AsSecurityEvents;
};

const verifierPattern = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * The `authorization_code` grant (RFC 6749 §4.1.3, RFC 7636 §4.6): the code is taken atomically (one
 * redemption wins); it must belong to this client and `redirect_uri`, and the verifier must match its
 * challenge — a verifier for a code issued without one is a downgrade and refused. A second use of a
 * code revokes every token issued from it.
 */
export async function redeemAuthorizationCode(
  deps: CodeGrantDeps,
  client: RegisteredClient,
  params: Params,
): Promise<TokenResponse> {
  const code = params.get('code');
  if (!code) throw new InvalidRequestError('code is required');
  const redirectUri = params.get('redirect_uri');
  const verifier = params.get('code_verifier');
  if (verifier !== undefined && !verifierPattern.test(verifier))
    throw new InvalidGrantError('code_verifier is malformed');
  if (code.length > 256) throw new InvalidGrantError('the code is not valid');
  const hash = sha256(code);
  const record = await deps.store.take<CodeRecord>('codes', hash);
  if (!record) {
    const grantId = await deps.store.get<string>('code-grants', hash);
    if (grantId !== undefined) {
      const revoked = await deps.grants.revoke(grantId);
      const sub = revoked?.sub;
      deps.events.emit('authorization_code_replayed', { client_id: client.client_id, sub });
      deps.events.emit('token_family_revoked', { client_id: client.client_id, sub, cause: 'code_replayed' });
    }
    throw new InvalidGrantError('the code is invalid, expired or already used');
  }
  if (record.clientId !== client.client_id) throw new InvalidGrantError('the code was issued to another client');
  if (redirectUri !== record.redirectUri)
    throw new InvalidGrantError('redirect_uri does not match the authorization request');
  if (record.codeChallenge === null) {
    if (verifier !== undefined) throw new InvalidGrantError('code_verifier sent for a code issued without PKCE');
    if (client.isPublic) throw new InvalidGrantError('PKCE is required');
  } else {
    if (verifier === undefined) throw new InvalidGrantError('code_verifier is required');
    const computed = createHash('sha256').update(verifier, 'ascii').digest('base64url');
    if (!safeEqual(computed, record.codeChallenge))
      throw new InvalidGrantError('code_verifier does not match the code_challenge');
  }

  const now = deps.now();
  const expiresAt = now + deps.config.refreshTokenTtlSeconds * 1000;
  const grant = {
    grantId: record.grantId,
    sub: record.sub,
    clientId: record.clientId,
    scopes: record.scopes,
    audience: record.audience,
    authTime: record.authTime,
    amr: record.amr,
    sid: record.sid,
    expiresAt,
    offline: record.scopes.includes('offline_access'),
    revoked: false,
  };
  // Fails when a replay revoked the grant before we created it.
  if (!(await deps.grants.create(grant))) throw new InvalidGrantError('the code is invalid, expired or already used');
  const refreshToken = client.grant_types.includes('refresh_token')
    ? await deps.refreshTokens.issue(
        grant.grantId,
        client.client_id,
        Math.min(expiresAt, now + deps.config.refreshTokenIdleTtlSeconds * 1000),
      )
    : undefined;
  return issueUserTokens(deps, grant, {
    scopes: record.scopes,
    nonce: record.nonce ?? undefined,
    refreshToken,
  });
}
