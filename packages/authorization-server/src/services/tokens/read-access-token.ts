import type { JWTPayload } from 'jose';
import type { AsContext } from '../../context.js';
import { verifyOwnToken } from './verify-own-token.js';

/**
 * One of our access tokens that is still live: our signature, unexpired, and — for a user's token —
 * its grant not revoked; for a client's own token, not revoked by jti. Undefined otherwise.
 */
export async function readLiveAccessToken(context: AsContext, token: string): Promise<JWTPayload | undefined> {
  const payload = await verifyOwnToken(
    context.keys,
    context.config.issuer,
    token,
    { types: ['at+jwt'] },
    context.now(),
  );
  if (!payload || typeof payload.jti !== 'string' || typeof payload.sub !== 'string') return undefined;
  if (payload.sub === payload.client_id) {
    return (await context.store.get('revoked-access-tokens', payload.jti)) === undefined ? payload : undefined;
  }
  return (await context.grants.isAccessTokenLive(payload.jti)) ? payload : undefined;
}
