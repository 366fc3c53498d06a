import type { AccountLinks } from '../../stores/account-links.js';
import type { AccountStore } from '../../stores/account-store.js';
import type { Consents } from '../../stores/consents.js';
import type { GrantStore } from '../../stores/grant-store.js';
import type { ProviderSessions } from '../../stores/provider-sessions.js';
import type { SessionEnder } from '../logout/end-session.js';
import { endProviderSession } from '../logout/end-session.js';
import type { UpstreamTokens } from '../upstreams/upstream-tokens.js';

/** What deleting an account uses. */
export type AccountDeleter = SessionEnder & {
  sessions: Pick<ProviderSessions, 'ofUser'>;
  grants: Pick<GrantStore, 'ofUser' | 'revoke'>;
  consents: Pick<Consents, 'ofUser' | 'revoke'>;
  accounts: Pick<AccountStore, 'delete'>;
  upstreams: { links: Pick<AccountLinks, 'ofUser' | 'unlink'>; tokens: Pick<UpstreamTokens, 'removeAll'> };
};

/**
 * Deletes an account and everything that acts for it: its sessions end (with back-channel logout to
 * the clients), its grants and consents are revoked, its upstream links and upstream tokens deleted.
 */
export async function deleteAccount(deps: AccountDeleter, sub: string): Promise<void> {
  for (const session of await deps.sessions.ofUser(sub)) await endProviderSession(deps, session, 'account_deleted');
  for (const grant of await deps.grants.ofUser(sub)) await deps.grants.revoke(grant.grantId);
  for (const consent of await deps.consents.ofUser(sub)) await deps.consents.revoke(sub, consent.clientId);
  for (const link of await deps.upstreams.links.ofUser(sub)) await deps.upstreams.links.unlink(sub, link.upstream);
  await deps.upstreams.tokens.removeAll(sub);
  await deps.accounts.delete(sub);
}
