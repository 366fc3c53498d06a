import { checkNewPassword } from '../../checks/password-policy.js';
import type { AccountStore } from '../../stores/account-store.js';
import type { GrantStore } from '../../stores/grant-store.js';
import type { ProviderSessions } from '../../stores/provider-sessions.js';
import { endProviderSession, type SessionEnder } from '../logout/end-session.js';

/** What changing a password uses. */
export type PasswordChanger = SessionEnder & {
  accounts: Pick<AccountStore, 'findBySub' | 'verifyCredentials' | 'setPassword'>;
  sessions: Pick<ProviderSessions, 'ofUser'>;
  grants: Pick<GrantStore, 'ofUser' | 'revoke'>;
};

export type PasswordChange =
  | { kind: 'changed' }
  | { kind: 'wrong-current-password' }
  /** The new password breaks the policy; `problem` says how, for the form. */
  | { kind: 'refused'; problem: string };

/**
 * Changes a signed-in user's password after checking the current one. A new password ends every
 * other session of the account and revokes every grant (refresh tokens included): whoever knew the
 * old password, or holds a token obtained with it, is out. The session that made the change stays.
 */
export async function changePassword(
  deps: PasswordChanger,
  sub: string,
  passwords: { current: string; next: string },
  keepSessionId: string | undefined,
): Promise<PasswordChange> {
  const account = await deps.accounts.findBySub(sub);
  if (!account || !(await deps.accounts.verifyCredentials(account.email, passwords.current))) {
    return { kind: 'wrong-current-password' };
  }
  const problem = checkNewPassword(passwords.next, account.email);
  if (problem) return { kind: 'refused', problem };
  await deps.accounts.setPassword(sub, passwords.next);
  for (const other of await deps.sessions.ofUser(sub)) {
    if (other.id !== keepSessionId) await endProviderSession(deps, other, 'password_changed');
  }
  for (const grant of await deps.grants.ofUser(sub)) await deps.grants.revoke(grant.grantId);
  return { kind: 'changed' };
}
