import { InvalidGrantError, InvalidScopeError } from '../errors.js';
import type { GrantStore, IssuedTokens } from '../grant-store.js';
import type { SocialClient } from '../options.js';
import { type Params, requiredParam } from '../params.js';

/**
 * The `refresh_token` grant (RFC 6749 §6) with rotation: each use returns a new refresh token and
 * retires the old one. A retired token coming back means two parties hold it, so the whole family is
 * revoked (RFC 9700 §4.14.2).
 */
export function redeemRefreshToken(store: GrantStore, client: SocialClient, params: Params): IssuedTokens {
  const found = store.findRefreshToken(requiredParam(params, 'refresh_token'));
  if (!found || found.grant.clientId !== client.clientId)
    throw new InvalidGrantError('the refresh token is invalid or revoked');
  if (!found.isCurrent) {
    store.revokeGrant(found.grant.id);
    throw new InvalidGrantError('the refresh token was already used');
  }
  // A refresh may narrow the scope, never widen it.
  const scope = params.get('scope') ?? found.grant.scope;
  const granted = new Set(found.grant.scope.split(' '));
  if (!scope.split(' ').every((token) => granted.has(token)))
    throw new InvalidScopeError('the scope exceeds what the user granted');
  return store.rotate(found.grant.id, scope);
}
