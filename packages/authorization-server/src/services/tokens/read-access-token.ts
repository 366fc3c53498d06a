import type { Store } from '@gatehouse/store';
import type { JWTPayload } from 'jose';
import type { AuthorizationServerConfig } from '../../config/as-config.js';
import type { GrantStore } from '../../stores/grant-store.js';
import type { KeyRing } from '../../stores/key-ring.js';
import { verifyOwnToken } from './verify-own-token.js';

/** What reading a live access token uses. */
export interface LiveAccessTokenReader {
  keys: KeyRing;
  store: Pick<Store, 'get'>;
  grants: Pick<GrantStore, 'isAccessTokenLive'>;
  config: Pick<AuthorizationServerConfig, 'issuer'>;
  now: () => number;
}

/**
 * One of our access tokens that is still live: our signature, unexpired, and — for a user's token —
 * its grant not revoked; for a client's own token, not revoked by jti. Undefined otherwise.
 */
export async function readLiveAccessToken(deps: LiveAccessTokenReader, token: string): Promise<JWTPayload | undefined> {
  const payload = await verifyOwnToken(deps.keys, deps.config.issuer, token, { types: ['at+jwt'] }, deps.now());
  if (!payload || typeof payload.jti !== 'string' || typeof payload.sub !== 'string') return undefined;
  if (payload.sub === payload.client_id) {
    return (await deps.store.get('revoked-access-tokens', payload.jti)) === undefined ? payload : undefined;
  }
  return (await deps.grants.isAccessTokenLive(payload.jti)) ? payload : undefined;
}
