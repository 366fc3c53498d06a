import type { AuthorizationServerConfig } from '../config/as-config.js';
import type { AccountStore } from '../stores/account-store.js';

/**
 * Creates each configured user who has no account yet, with the email already verified. An existing
 * account is left as it is: its password may have been changed since.
 */
export async function seedConfiguredUsers(
  accounts: AccountStore,
  users: AuthorizationServerConfig['users'],
): Promise<void> {
  for (const user of users) {
    if (!(await accounts.findByEmail(user.email))) {
      await accounts.create({ email: user.email, password: user.password, name: user.name, emailVerified: true });
    }
  }
}
