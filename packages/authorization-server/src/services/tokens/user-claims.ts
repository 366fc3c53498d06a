import type { Account } from '../../protocol/account.js';

/** The user claims the granted scopes allow (OpenID Core §5.4): `profile` → name, `email` → email and its flag. */
export function claimsForScopes(
  account: Account,
  scopes: readonly string[],
): Record<string, string | boolean | number> {
  const claims: Record<string, string | boolean | number> = {};
  if (scopes.includes('profile')) {
    if (account.name) claims.name = account.name;
    claims.updated_at = Math.floor(account.updatedAt / 1000);
  }
  // An account made by an upstream sign-in may have no email at all.
  if (scopes.includes('email') && account.email) {
    claims.email = account.email;
    claims.email_verified = account.emailVerified;
  }
  return claims;
}
