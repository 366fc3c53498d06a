import type { AsContext } from '../../context.js';
import { endProviderSession } from '../logout/end-session.js';

/**
 * Deletes an account and everything that acts for it: its sessions end (with back-channel logout to
 * the clients), its grants and consents are revoked, its upstream links and upstream tokens deleted.
 */
export async function deleteAccount(context: AsContext, sub: string): Promise<void> {
  for (const session of await context.sessions.ofUser(sub)) await endProviderSession(context, session);
  for (const grant of await context.grants.ofUser(sub)) await context.grants.revoke(grant.grantId);
  for (const consent of await context.consents.ofUser(sub)) await context.consents.revoke(sub, consent.clientId);
  for (const link of await context.upstreams.links.ofUser(sub))
    await context.upstreams.links.unlink(sub, link.upstream);
  await context.upstreams.tokens.removeAll(sub);
  await context.accounts.delete(sub);
}
