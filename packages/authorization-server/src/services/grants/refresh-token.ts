import type { AuthorizationServerConfig } from '../../config/as-config.js';
import type { Params } from '../../primitives/params.js';
import type { Account } from '../../protocol/account.js';
import type { RegisteredClient } from '../../protocol/client-metadata.js';
import { InvalidGrantError, InvalidRequestError, InvalidScopeError } from '../../protocol/errors.js';
import type { Grant } from '../../protocol/grant.js';
import type { GrantStore } from '../../stores/grant-store.js';
import type { RefreshTokens } from '../../stores/refresh-tokens.js';
import type { AsMetrics } from '../../telemetry/as-metrics.js';
import type { AsSecurityEvents } from '../../telemetry/security-events.js';
import type { UserTokenIssuer } from '../tokens/issue-user-tokens.js';
import { issueUserTokens, type TokenResponse } from '../tokens/issue-user-tokens.js';

/** What the refresh grant uses. */
export type RefreshGrantDeps = UserTokenIssuer & {
  refreshTokens: Pick<RefreshTokens, 'use' | 'grantHint'>;
  grants: Pick<GrantStore, 'find' | 'revoke'>;
  config: Pick<AuthorizationServerConfig, 'refreshTokenIdleTtlSeconds'>;
  events: AsSecurityEvents;
  metrics: Pick<AsMetrics, 'refreshTokenUsed'>;
};

/**
 * The `refresh_token` grant (RFC 6749 §6) with rotation: a new refresh token every time, bound to the
 * client, never outliving the grant's absolute end. Reuse of a rotated token revokes the family; a
 * retry within the grace window gets the same successor. A narrower `scope` narrows the access token;
 * a wider one is `invalid_scope`.
 */
export async function refreshTokens(
  deps: RefreshGrantDeps,
  client: RegisteredClient,
  params: Params,
): Promise<TokenResponse> {
  const token = params.get('refresh_token');
  if (!token) throw new InvalidRequestError('refresh_token is required');
  const requested = params.get('scope');
  let grant: Grant | undefined;
  let scopes: string[] = [];
  let account: Promise<Account | undefined> | undefined;
  // The grant the token names is read while the token itself is (one round trip fewer in a row);
  // it is used only if the verified token's grant is that one, and read afresh otherwise.
  const hint = deps.refreshTokens.grantHint(token);
  const prefetched = hint === undefined ? undefined : deps.grants.find(hint);
  prefetched?.catch(() => undefined); // awaited below, or not needed
  const outcome = await deps.refreshTokens.use(token, client.client_id, async (grantId) => {
    grant = await (grantId === hint && prefetched ? prefetched : deps.grants.find(grantId));
    if (!grant) return undefined;
    scopes = scopesFor(grant, requested);
    // The account is read while the token rotates (one round trip fewer in a row); it is checked
    // before any token is returned, as it was when read after the rotation.
    account = deps.accounts.findBySub(grant.sub);
    account.catch(() => undefined); // awaited (and its failure thrown) by issueUserTokens
    return Math.min(grant.expiresAt, deps.now() + deps.config.refreshTokenIdleTtlSeconds * 1000);
  });
  deps.metrics.refreshTokenUsed(outcome.kind);
  if (outcome.kind === 'invalid') throw new InvalidGrantError('the refresh token is invalid, expired or revoked');
  if (outcome.kind === 'reused') {
    const revoked = await deps.grants.revoke(outcome.grantId);
    const sub = revoked?.sub;
    deps.events.emit('refresh_token_reused', { client_id: client.client_id, sub });
    deps.events.emit('token_family_revoked', { client_id: client.client_id, sub, cause: 'refresh_token_reused' });
    throw new InvalidGrantError('the refresh token was already used');
  }
  if (outcome.kind === 'retried') {
    // A retry of the previous token: its grant was not looked at yet.
    grant = await deps.grants.find(outcome.grantId);
    if (!grant) throw new InvalidGrantError('the refresh token is invalid, expired or revoked');
    scopes = scopesFor(grant, requested);
  }
  if (!grant) throw new InvalidGrantError('the refresh token is invalid, expired or revoked');
  return issueUserTokens(deps, grant, { scopes, refreshToken: outcome.token, account });
}

/** The access token's scopes: the grant's, or a narrower `scope`; a wider one is `invalid_scope`. */
function scopesFor(grant: Grant, requested: string | undefined): string[] {
  const scopes = requested === undefined ? grant.scopes : [...new Set(requested.split(' ').filter(Boolean))];
  const wider = scopes.filter((scope) => !grant.scopes.includes(scope));
  if (wider.length > 0) throw new InvalidScopeError(`scope exceeds the grant: ${wider.join(' ').slice(0, 200)}`);
  return scopes;
}
