import { type Store, waitForLock } from '@gatehouse/store';
import type { AccountLinks } from '../../stores/account-links.js';
import type { AccountStore } from '../../stores/account-store.js';
import type { UpstreamTokens } from '../upstreams/upstream-tokens.js';

/** What unlinking an upstream account uses. */
export interface UpstreamUnlinker {
  store: Store;
  accounts: Pick<AccountStore, 'findBySub'>;
  upstreams: { links: Pick<AccountLinks, 'ofUser' | 'unlink'>; tokens: Pick<UpstreamTokens, 'remove'> };
}

/**
 * Unlinks the user's account at `upstream` and deletes their tokens there — unless it is their last
 * way to sign in (no password, no other link): an account is never left that no one can enter.
 * Deleting the account is the way out then. One unlink per account at a time (a store lock), so two
 * concurrent unlinks cannot each see the other link and remove both.
 */
export async function unlinkUpstream(
  deps: UpstreamUnlinker,
  sub: string,
  upstream: string,
): Promise<'unlinked' | 'last-method'> {
  const lock = await waitForLock(deps.store, `account-unlink:${sub}`, { ttlSeconds: 10, waitMs: 10_000 });
  if (!lock) throw new Error('unlink: the account is busy');
  try {
    return await unlinkHeld(deps, sub, upstream);
  } finally {
    await lock.release();
  }
}

async function unlinkHeld(deps: UpstreamUnlinker, sub: string, upstream: string): Promise<'unlinked' | 'last-method'> {
  const account = await deps.accounts.findBySub(sub);
  const links = await deps.upstreams.links.ofUser(sub);
  const linked = links.some((link) => link.upstream === upstream);
  const otherWays = (account?.passwordHash ? 1 : 0) + links.filter((link) => link.upstream !== upstream).length;
  if (linked && otherWays === 0) return 'last-method';
  await deps.upstreams.links.unlink(sub, upstream);
  await deps.upstreams.tokens.remove(sub, upstream);
  return 'unlinked';
}
