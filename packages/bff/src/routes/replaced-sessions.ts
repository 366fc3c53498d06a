import type { FastifyBaseLogger } from 'fastify';
import type { BffContext } from '../context.js';
import { revokeRefreshToken } from './revoke.js';

/** Who a session is at the provider: the user, and the provider session they signed in with. */
interface ProviderSignIn {
  subject: string;
  providerSessionId: string | null;
}

/**
 * Ends the sessions a new sign-in in this browser replaces — on every instance, as a logout does —
 * and revokes their refresh tokens at the provider, so that the previous user's session (a shared
 * computer, a second account) cannot linger usable. Called once the new session exists: a sign-in
 * that fails leaves the old session as it was.
 */
export async function endReplacedSessions(
  context: BffContext,
  sessionKeys: readonly (string | undefined)[],
  signedIn: ProviderSignIn,
  log: FastifyBaseLogger,
): Promise<void> {
  for (const key of new Set(sessionKeys)) {
    if (key === undefined) continue;
    const ended = await context.sessions.endByKey(key);
    if (!ended) continue;
    context.metrics.signOut('replaced');
    context.events.emit('session_ended', { cause: 'replaced', sessions: 1, sub: ended.subject });
    if (!ended.refreshToken || isSameProviderSignIn(ended, signedIn)) continue;
    await revokeRefreshToken(context, ended.refreshToken).catch((error: unknown) =>
      log.warn({ err: { type: (error as Error).name } }, 'refresh token revocation failed at re-login'),
    );
  }
}

/**
 * Whether two sessions come from one sign-in at the provider (same user, same provider session).
 * Their tokens may then share a grant, and a provider that revokes a refresh token's whole grant
 * (oidc-provider does, as RFC 7009 §2.1 allows) would take the new session's tokens with the old
 * refresh token. So that one is not revoked: the old session is ended all the same, and its refresh
 * token, kept nowhere any more, lapses at the provider.
 */
export function isSameProviderSignIn(a: ProviderSignIn, b: ProviderSignIn): boolean {
  return a.subject === b.subject && a.providerSessionId === b.providerSessionId;
}
