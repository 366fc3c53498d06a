import type { Store } from '@gatehouse/store';
import { maxPasswordLength } from '../checks/password-policy.js';
import { hashPassword, verifyPassword } from '../primitives/password-hash.js';
import { randomToken } from '../primitives/random.js';
import type { Account } from '../protocol/account.js';
import { userSubjectPrefix } from '../protocol/subjects.js';

const accounts = 'accounts';
const emails = 'account-emails';

/** Email addresses compare case-insensitively; the account keeps the spelling it was created with. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Accounts with email + password. Lookups by email go through an index entry claimed atomically, so
 * two registrations of one address cannot both succeed.
 */
export class AccountStore {
  readonly #store: Store;
  readonly #now: () => number;
  #dummyHash: Promise<string> | undefined;

  constructor(store: Store, now: () => number) {
    this.#store = store;
    this.#now = now;
  }

  /** Creates an account; undefined when the email is taken. */
  async create(input: { email: string; password: string; name?: string | undefined; emailVerified?: boolean }) {
    const sub = `${userSubjectPrefix}${randomToken(16)}`;
    // Hash first: a taken address then costs the same time as a new one.
    const passwordHash = await hashPassword(input.password);
    const claimed = await this.#store.putIfAbsent(emails, normalizeEmail(input.email), sub);
    if (claimed === undefined) return undefined;
    const now = this.#now();
    const account: Account = {
      sub,
      email: input.email.trim(),
      emailVerified: input.emailVerified ?? false,
      name: input.name?.trim() || null,
      passwordHash,
      createdAt: now,
      updatedAt: now,
      disabled: false,
    };
    await this.#store.put(accounts, sub, account);
    return account;
  }

  /**
   * Creates an account for a first sign-in at an upstream. It has no password, and its email (if the
   * upstream gave one) is not claimed in the email index: password sign-in and registration never
   * find it, so an upstream account cannot take over a local one by naming its address.
   */
  async createFederated(input: { email: string | undefined; emailVerified: boolean; name: string | undefined }) {
    const now = this.#now();
    const account: Account = {
      sub: `${userSubjectPrefix}${randomToken(16)}`,
      email: input.email?.trim() ?? '',
      emailVerified: input.email !== undefined && input.emailVerified,
      name: input.name?.trim() || null,
      passwordHash: '',
      createdAt: now,
      updatedAt: now,
      disabled: false,
    };
    await this.#store.put(accounts, account.sub, account);
    return account;
  }

  /** Deletes the account and frees its email address (when the index points to it). */
  async delete(sub: string): Promise<void> {
    const account = await this.findBySub(sub);
    if (!account) return;
    if (account.email) {
      const key = normalizeEmail(account.email);
      if ((await this.#store.get<string>(emails, key)) === sub) await this.#store.delete(emails, key);
    }
    await this.#store.delete(accounts, sub);
  }

  async findBySub(sub: string): Promise<Account | undefined> {
    return this.#store.get<Account>(accounts, sub);
  }

  async findByEmail(email: string): Promise<Account | undefined> {
    const sub = await this.#store.get<string>(emails, normalizeEmail(email));
    return sub === undefined ? undefined : this.findBySub(sub);
  }

  /**
   * The account these credentials open, or undefined. Unknown emails cost one hash too, so timing
   * does not tell whether an account exists; oversized passwords are refused before hashing.
   */
  async verifyCredentials(email: string, password: string): Promise<Account | undefined> {
    if (password.length > maxPasswordLength || email.length > 254) return undefined;
    const account = await this.findByEmail(email);
    if (!account || account.disabled || account.passwordHash === '') {
      this.#dummyHash ??= hashPassword(randomToken(16));
      await verifyPassword(await this.#dummyHash, password);
      return undefined;
    }
    return (await verifyPassword(account.passwordHash, password)) ? account : undefined;
  }

  async update(sub: string, changes: Partial<Pick<Account, 'name' | 'emailVerified' | 'disabled'>>) {
    const account = await this.findBySub(sub);
    if (!account) return undefined;
    const updated = { ...account, ...changes, updatedAt: this.#now() };
    await this.#store.put(accounts, sub, updated);
    return updated;
  }

  async setPassword(sub: string, password: string): Promise<void> {
    const account = await this.findBySub(sub);
    if (!account) return;
    await this.#store.put(accounts, sub, {
      ...account,
      passwordHash: await hashPassword(password),
      updatedAt: this.#now(),
    });
  }
}
