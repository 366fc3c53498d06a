import { randomBytes, randomInt } from 'node:crypto';
import type { EntryKey, RawEntry, RawWrite, StoreBackend } from './backend.js';
import { StoreClosedError, StoreError, StoreInputError } from './errors.js';
import type { HeldLock, IndexedEntry, JsonValue, Store, StoredEntry, WriteOptions } from './store.js';
import { checkIndexes, checkName, checkNamespace, checkSeconds, encodeValue } from './store-input.js';

export interface StoreLimits {
  /** Largest value accepted, in UTF-8 bytes of its JSON text. Default 2 MiB. */
  maxValueBytes?: number;
}

export const defaultMaxValueBytes = 2 * 1024 * 1024;

/** Pauses between the repeated releases of a lock whose acquisition timed out (about 10 s in all). */
const orphanReleaseDelaysMs = [250, 750, 1_500, 2_500, 5_000] as const;

/**
 * Wraps a backend into a {@link Store}: checks every input once, encodes values as JSON, and makes
 * sure nothing but a {@link StoreError} leaves a call.
 */
export function createStore(backend: StoreBackend, limits: StoreLimits = {}): Store {
  const maxValueBytes = limits.maxValueBytes ?? defaultMaxValueBytes;
  if (!Number.isInteger(maxValueBytes) || maxValueBytes < 1) {
    throw new TypeError('maxValueBytes must be a positive integer');
  }
  let closed = false;

  async function run<T>(operation: () => Promise<T>): Promise<T> {
    if (closed) throw new StoreClosedError('the store is closed');
    try {
      return await operation();
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError(`${backend.kind} store operation failed`, { cause: error });
    }
  }

  /** Releases `owner`'s lock now and again after each of {@link orphanReleaseDelaysMs}, within `ttlMs`. */
  function releaseOrphan(lockName: string, owner: string, ttlMs: number): void {
    const attempt = (remaining: readonly number[]) => {
      if (closed) return;
      backend.releaseLock(lockName, owner).catch(() => undefined);
      const [next, ...rest] = remaining;
      if (next !== undefined && next < ttlMs) setTimeout(() => attempt(rest), next).unref();
    };
    attempt(orphanReleaseDelaysMs);
  }

  function entryKey(namespace: string, id: string): EntryKey {
    return { namespace: checkNamespace(namespace), id: checkName(id, 'id') };
  }

  function rawWrite(value: JsonValue, options: WriteOptions | undefined): RawWrite {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw new StoreInputError('options must be an object');
    }
    return {
      value: encodeValue(value, maxValueBytes),
      ttlMs: options?.ttlSeconds === undefined ? null : checkSeconds(options.ttlSeconds, 'ttlSeconds'),
      indexes: checkIndexes(options?.indexes),
      initialVersion: randomInt(1, 2 ** 31),
    };
  }

  function decode<T extends JsonValue>(raw: RawEntry): StoredEntry<T> {
    return { value: JSON.parse(raw.value) as T, version: raw.version, expiresAt: raw.expiresAt };
  }

  const notifications = backend.notifications;
  const store: Store = {
    backend: backend.kind,
    notifications: notifications && {
      get connected() {
        return !closed && notifications.connected;
      },
      publish: (channel, message) => run(() => notifications.publish(checkName(channel, 'channel'), message)),
      subscribe: (channel, listener, onInterrupted) =>
        run(() => notifications.subscribe(checkName(channel, 'channel'), listener, onInterrupted)),
    },

    get: <T extends JsonValue>(namespace: string, id: string) =>
      run(async () => {
        const raw = await backend.get(entryKey(namespace, id));
        return raw === undefined ? undefined : (JSON.parse(raw.value) as T);
      }),

    getEntry: <T extends JsonValue>(namespace: string, id: string) =>
      run(async () => {
        const raw = await backend.get(entryKey(namespace, id));
        return raw === undefined ? undefined : decode<T>(raw);
      }),

    put: (namespace, id, value, options) =>
      run(async () => backend.put(entryKey(namespace, id), rawWrite(value, options))),

    putIfAbsent: (namespace, id, value, options) =>
      run(async () => backend.putIfAbsent(entryKey(namespace, id), rawWrite(value, options))),

    compareAndSet: (namespace, id, expectedVersion, value, options) =>
      run(async () => {
        if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 1) {
          throw new StoreInputError('expectedVersion must be a version returned by the store');
        }
        return backend.compareAndSet(entryKey(namespace, id), expectedVersion, rawWrite(value, options));
      }),

    take: <T extends JsonValue>(namespace: string, id: string) =>
      run(async () => {
        const text = await backend.take(entryKey(namespace, id));
        return text === undefined ? undefined : (JSON.parse(text) as T);
      }),

    delete: (namespace, id) => run(async () => backend.delete(entryKey(namespace, id))),

    findByIndex: <T extends JsonValue>(index: string) =>
      run(async () => {
        const found = await backend.findByIndex(checkName(index, 'index key'));
        return found.map((raw): IndexedEntry<T> => ({ namespace: raw.namespace, id: raw.id, ...decode<T>(raw) }));
      }),

    deleteByIndex: (index) => run(async () => backend.deleteByIndex(checkName(index, 'index key'))),

    acquireLock: (name, ttlSeconds) =>
      run(async () => {
        const lockName = checkName(name, 'lock name');
        const ttlMs = checkSeconds(ttlSeconds, 'lock ttlSeconds');
        const owner = randomBytes(18).toString('base64url');
        let expiresAt: number | undefined;
        try {
          expiresAt = await backend.acquireLock(lockName, owner, ttlMs);
        } catch (error) {
          // A timed-out acquisition may still take the lock when the backend wakes: release it under
          // the same owner, or it would stay held by nobody for its whole ttl and every waiter would
          // wait that long. Redis runs a connection's queued commands in order, but PostgreSQL may run
          // a release sent on another pooled connection before the stalled acquisition, so the release
          // is repeated for a few seconds (harmless: the owner is this attempt's alone).
          releaseOrphan(lockName, owner, ttlMs);
          throw error;
        }
        if (expiresAt === undefined) return undefined;
        const lock: HeldLock = {
          name: lockName,
          owner,
          expiresAt,
          release: () => store.releaseLock(lockName, owner),
        };
        return lock;
      }),

    releaseLock: (name, owner) =>
      run(async () => backend.releaseLock(checkName(name, 'lock name'), checkName(owner, 'lock owner'))),

    increment: (name, windowSeconds) =>
      run(async () => backend.increment(checkName(name, 'counter name'), checkSeconds(windowSeconds, 'windowSeconds'))),

    sweepExpired: () => run(() => backend.sweepExpired()),

    countEntries: () => run(() => backend.countEntries()),

    ping: () => run(() => backend.ping()),

    async close() {
      if (closed) return;
      closed = true;
      await backend.close();
    },
  };
  return Object.freeze(store);
}
