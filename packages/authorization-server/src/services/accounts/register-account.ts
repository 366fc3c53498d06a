import type { RateLimiter, RateLimitRule } from '@gatehouse/store';
import { isPlausibleEmail } from '../../checks/email-address.js';
import { checkNewPassword } from '../../checks/password-policy.js';
import type { AccountStore } from '../../stores/account-store.js';

/** What registering an account uses. */
export interface AccountRegistrar {
  accounts: Pick<AccountStore, 'create'>;
  rateLimiter: Pick<RateLimiter, 'take'>;
  limits: { registration: RateLimitRule };
}

export interface Registration {
  email: string;
  name: string;
  password: string;
}

export type RegistrationProblems = { email?: string; password?: string; name?: string };

const maxNameLength = 200;

export type RegistrationOutcome =
  | { kind: 'registered' }
  | { kind: 'invalid'; problems: RegistrationProblems }
  | { kind: 'too-many'; retryAfterSeconds: number };

/**
 * Registers an account from the registration form. The form is checked first (address, name length,
 * password policy); each registration then costs an argon2id hash, so it is limited per source and
 * counted before hashing. A taken address answers exactly like a new one: no account enumeration
 * (SECURITY.md §4).
 */
export async function registerAccount(
  deps: AccountRegistrar,
  form: Registration,
  source: string,
): Promise<RegistrationOutcome> {
  const problems: RegistrationProblems = {};
  if (!isPlausibleEmail(form.email)) problems.email = 'Enter a valid email address.';
  if (form.name.length > maxNameLength) problems.name = `Use at most ${maxNameLength} characters.`;
  const passwordProblem = checkNewPassword(form.password, form.email);
  if (passwordProblem) problems.password = passwordProblem;
  if (Object.keys(problems).length > 0) return { kind: 'invalid', problems };
  const slot = await deps.rateLimiter.take(deps.limits.registration, source);
  if (slot.isOver) return { kind: 'too-many', retryAfterSeconds: slot.resetsInSeconds };
  await deps.accounts.create({ email: form.email, password: form.password, name: form.name || undefined });
  return { kind: 'registered' };
}
