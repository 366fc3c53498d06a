/** A value the store can keep: anything that survives `JSON.stringify` / `JSON.parse` unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Which backend a store runs on; `split` is a durable and an ephemeral store behind one interface. */
export type StoreBackendKind = 'memory' | 'sqlite' | 'redis' | 'postgres' | 'split';

export interface WriteOptions {
  /**
   * Seconds until the entry expires (millisecond precision; at most ten years). Omitted: the entry
   * never expires. An expired entry is absent for every operation, and its storage is reclaimed.
   */
  ttlSeconds?: number;
  /**
   * Secondary index keys such as `grant:G`, `session:S`, `user:U`. The entry's index list is replaced
   * by this one on every write; {@link Store.deleteByIndex} removes every entry carrying a key.
   */
  indexes?: readonly string[];
}

/** An entry as read, with the version a later {@link Store.compareAndSet} must name. */
export interface StoredEntry<T extends JsonValue = JsonValue> {
  value: T;
  /**
   * Opaque positive integer that changes on every write of the entry. Compare for equality only;
   * a re-created entry does not restart at a predictable number.
   */
  version: number;
  /** Milliseconds since the epoch when the entry expires, or `null` when it never does. */
  expiresAt: number | null;
}

/** An entry found through an index. */
export interface IndexedEntry<T extends JsonValue = JsonValue> extends StoredEntry<T> {
  namespace: string;
  id: string;
}

/** A held lock. Only its owner token can release it; if the holder dies, it frees itself at expiry. */
export interface HeldLock {
  readonly name: string;
  /** Random token naming this holder (≥ 128 bits). */
  readonly owner: string;
  /** Milliseconds since the epoch when the lock frees itself. */
  readonly expiresAt: number;
  /** Releases the lock if this holder still owns it; `false` when it had expired or was taken over. */
  release(): Promise<boolean>;
}

/** The state of a windowed counter after an increment. */
export interface CounterWindow {
  /** Increments in the current window, this one included. */
  count: number;
  /** Milliseconds since the epoch when the window ends and the count starts again from zero. */
  resetAt: number;
}

/**
 * The one storage interface every Gatehouse server part uses.
 *
 * Entries are JSON values addressed by `namespace` + `id`. Every backend keeps the promises written
 * on each method, and one conformance suite (`test/conformance.ts`) holds all four to them.
 *
 * Names: a namespace is 1–64 characters of `a-z`, `0-9`, `_`, `-`, starting with a letter. An id,
 * index key, lock name or counter name is 1–512 characters with no control characters. Anything else
 * is refused with {@link StoreInputError}, as is a value larger than the store's `maxValueBytes`.
 *
 * Failures of the backing server raise {@link StoreUnavailableError} within a bounded time; the store
 * reconnects by itself.
 */
/**
 * Messages between the processes that share a store, for cache invalidation: a process that changes
 * an entry others may have cached publishes its key, and the others drop their copy.
 */
export interface StoreNotifications {
  /** Sends `message` to every subscriber of `channel`, in every process using this store. */
  publish(channel: string, message: string): Promise<void>;
  /**
   * Calls `listener` for every message on `channel`. `onInterrupted` is called whenever messages may
   * have been missed (the connection dropped or came back): drop everything cached then. Resolves
   * with a function that ends the subscription.
   */
  subscribe(
    channel: string,
    listener: (message: string) => void,
    onInterrupted: () => void,
  ): Promise<() => Promise<void>>;
  /** Whether delivery works right now; while it does not, nothing cached may be trusted. */
  readonly connected: boolean;
}

export interface Store {
  readonly backend: StoreBackendKind;
  /**
   * Cross-process notifications, where the backend can deliver them to every process that uses it
   * (Redis pub/sub; PostgreSQL LISTEN/NOTIFY; the memory store, whose only user is its own process).
   * `undefined` for SQLite. A split store uses its ephemeral store's.
   */
  readonly notifications: StoreNotifications | undefined;

  /** The value, or `undefined` when absent or expired. */
  get<T extends JsonValue = JsonValue>(namespace: string, id: string): Promise<T | undefined>;

  /** The value with its version and expiry, or `undefined` when absent or expired. */
  getEntry<T extends JsonValue = JsonValue>(namespace: string, id: string): Promise<StoredEntry<T> | undefined>;

  /** Writes the entry, replacing any previous one. Returns the new version. */
  put(namespace: string, id: string, value: JsonValue, options?: WriteOptions): Promise<number>;

  /**
   * Writes the entry only if it is absent or expired. Returns the new version, or `undefined` when a
   * live entry already exists. Of many concurrent callers for one key, exactly one succeeds.
   */
  putIfAbsent(namespace: string, id: string, value: JsonValue, options?: WriteOptions): Promise<number | undefined>;

  /**
   * Replaces the entry only if its current version is `expectedVersion` (compare-and-set). Returns the
   * new version, or `undefined` when the entry changed, expired or vanished since it was read.
   */
  compareAndSet(
    namespace: string,
    id: string,
    expectedVersion: number,
    value: JsonValue,
    options?: WriteOptions,
  ): Promise<number | undefined>;

  /**
   * Reads and deletes atomically: of many concurrent callers, across processes, exactly one gets the
   * value and the rest get `undefined`. For single-use values (codes, login state, `jti`s).
   */
  take<T extends JsonValue = JsonValue>(namespace: string, id: string): Promise<T | undefined>;

  /** Deletes the entry. Returns whether a live entry was there. */
  delete(namespace: string, id: string): Promise<boolean>;

  /** Every live entry carrying the index key, in no particular order. */
  findByIndex<T extends JsonValue = JsonValue>(index: string): Promise<IndexedEntry<T>[]>;

  /**
   * Deletes every entry carrying the index key, in any namespace (a whole grant, every session of a
   * user). Returns how many live entries were deleted.
   */
  deleteByIndex(index: string): Promise<number>;

  /**
   * Takes the named lock for `ttlSeconds` if nobody holds it; `undefined` when somebody does.
   * For single-flight work across processes (one token refresh per session).
   */
  acquireLock(name: string, ttlSeconds: number): Promise<HeldLock | undefined>;

  /** Releases a lock by its owner token (see {@link HeldLock.release}). */
  releaseLock(name: string, owner: string): Promise<boolean>;

  /**
   * Adds one to the named counter in a fixed window of `windowSeconds` that starts with the first
   * increment, and returns the count so far. For rate limits shared by every instance.
   */
  increment(name: string, windowSeconds: number): Promise<CounterWindow>;

  /**
   * Removes expired entries, locks and counters now; returns how many rows it removed. Backends that
   * reclaim by themselves (Redis) return 0. SQL and memory stores also sweep on a timer.
   */
  sweepExpired(): Promise<number>;

  /** Entries physically held, expired ones not yet reclaimed included. For diagnostics; may scan. */
  countEntries(): Promise<number>;

  /**
   * One cheap round trip to the backing server (Redis `PING`, `SELECT 1`), touching no entry: for
   * readiness checks. Resolves when it answered; raises {@link StoreUnavailableError} within the
   * store's command timeout when it did not, and `StoreClosedError` after `close()`.
   */
  ping(): Promise<void>;

  /** Closes connections and timers. Later calls fail with `StoreClosedError`. */
  close(): Promise<void>;
}
