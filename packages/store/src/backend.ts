import type { StoreBackendKind, StoreNotifications } from './store.js';

type SingleBackendKind = Exclude<StoreBackendKind, 'split'>;

/** One entry's address. */
export interface EntryKey {
  namespace: string;
  id: string;
}

/** An entry as a backend holds it: the value still JSON text. */
export interface RawEntry {
  value: string;
  version: number;
  expiresAt: number | null;
}

/** What a write stores. `ttlMs` null: never expires. */
export interface RawWrite {
  value: string;
  ttlMs: number | null;
  indexes: readonly string[];
  /** Version for a newly created entry; an overwrite increments the current one instead. */
  initialVersion: number;
}

/**
 * The primitives a backend implements. Inputs arrive already validated and encoded by
 * `createStore`, so a backend only stores and never checks names or sizes. Every method must be
 * atomic on its own, across processes, and treat an expired entry exactly like an absent one.
 */
export interface StoreBackend {
  readonly kind: SingleBackendKind;
  readonly notifications?: StoreNotifications;
  get(key: EntryKey): Promise<RawEntry | undefined>;
  put(key: EntryKey, write: RawWrite): Promise<number>;
  putIfAbsent(key: EntryKey, write: RawWrite): Promise<number | undefined>;
  compareAndSet(key: EntryKey, expectedVersion: number, write: RawWrite): Promise<number | undefined>;
  take(key: EntryKey): Promise<string | undefined>;
  delete(key: EntryKey): Promise<boolean>;
  findByIndex(index: string): Promise<Array<EntryKey & RawEntry>>;
  deleteByIndex(index: string): Promise<number>;
  /** Sets the lock to `owner` if it is free or expired; returns its expiry, or undefined if held. */
  acquireLock(name: string, owner: string, ttlMs: number): Promise<number | undefined>;
  releaseLock(name: string, owner: string): Promise<boolean>;
  increment(name: string, windowMs: number): Promise<{ count: number; resetAt: number }>;
  sweepExpired(): Promise<number>;
  countEntries(): Promise<number>;
  /** One trivial round trip to the server; see `Store.ping`. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
