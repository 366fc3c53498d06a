import { SignInError } from './errors.js';

/** Where a sign-in's `state` and `nonce` wait for the redirect back: `sessionStorage` in a page. */
export interface TransactionStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A sign-in's records in this tab, kept under its `state` until the provider sends the browser back. */
export interface TransactionStore<T extends object> {
  save(storage: TransactionStorage, state: string, transaction: T): void;
  /**
   * Takes (reads and removes) the record `state` names, so it completes one response only. A
   * malformed, unknown or already used state, or an unreadable record, is `invalid_state`.
   */
  take(storage: TransactionStorage, state: string | null): T;
  /** Removes the record `state` names, if any (a sign-in that will never come back). */
  drop(storage: TransactionStorage, state: string | null): void;
}

// Our states are 32 random bytes in base64url: anything else was never issued here.
const statePattern = /^[A-Za-z0-9_-]{43}$/;

/** The records of one kind of sign-in, under `prefix` so that no kind's response completes another's. */
export function createTransactionStore<T extends object>(prefix: string): TransactionStore<T> {
  const drop = (storage: TransactionStorage, state: string | null) => storage.removeItem(prefix + (state ?? ''));
  return {
    save: (storage, state, transaction) => storage.setItem(prefix + state, JSON.stringify(transaction)),
    take(storage, state) {
      const stored = state && statePattern.test(state) ? storage.getItem(prefix + state) : null;
      drop(storage, state);
      let transaction: unknown;
      try {
        transaction = JSON.parse(stored as string);
      } catch {
        // unreadable: refused below like a missing one
      }
      if (typeof transaction !== 'object' || !transaction)
        throw new SignInError('invalid_state', 'unknown or replayed state');
      return transaction as T;
    },
    drop,
  };
}

/** What a code sign-in keeps until its callback. */
export interface SignInTransaction {
  nonce: string;
  /** The PKCE code verifier. */
  verifier: string;
  /** Absent from transactions saved by earlier versions: then the client's `redirectUri` was used. */
  redirectUri?: string;
  returnUrl: string;
  appStateId: string | null;
  /** The scopes asked for. Absent from transactions saved by earlier versions: then the client's `scopes`. */
  scopes?: readonly string[];
}

/** The code sign-ins' records. */
export const signInTransactions = createTransactionStore<SignInTransaction>('gatehouse.signin.');
