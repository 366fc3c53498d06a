import type { IndexedEntry, JsonValue, Store } from './store.js';

export interface SplitStoreParts {
  /** Accounts, clients, grants, keys: what must survive (PostgreSQL in a scaled deployment). */
  durable: Store;
  /** Sessions, codes, locks, counters: short-lived and hot (Redis in a scaled deployment). */
  ephemeral: Store;
  /** Namespaces kept in the ephemeral store; every other namespace goes to the durable one. */
  ephemeralNamespaces: readonly string[];
}

/**
 * One {@link Store} over two: entries go to the ephemeral or durable store by namespace; locks and
 * counters always to the ephemeral one. Index lookups and deletions visit both, so revoking a grant
 * reaches its codes (ephemeral) and its refresh tokens (durable) alike. Closing closes both.
 */
export function splitStore(parts: SplitStoreParts): Store {
  const { durable, ephemeral } = parts;
  if (!Array.isArray(parts.ephemeralNamespaces)) throw new TypeError('ephemeralNamespaces must be an array');
  const ephemeralNamespaces = new Set(parts.ephemeralNamespaces);
  const storeOf = (namespace: string) => (ephemeralNamespaces.has(namespace) ? ephemeral : durable);

  return Object.freeze({
    backend: 'split',
    get: (namespace, id) => storeOf(namespace).get(namespace, id),
    getEntry: (namespace, id) => storeOf(namespace).getEntry(namespace, id),
    put: (namespace, id, value, options) => storeOf(namespace).put(namespace, id, value, options),
    putIfAbsent: (namespace, id, value, options) => storeOf(namespace).putIfAbsent(namespace, id, value, options),
    compareAndSet: (namespace, id, version, value, options) =>
      storeOf(namespace).compareAndSet(namespace, id, version, value, options),
    take: (namespace, id) => storeOf(namespace).take(namespace, id),
    delete: (namespace, id) => storeOf(namespace).delete(namespace, id),
    async findByIndex<T extends JsonValue>(index: string): Promise<IndexedEntry<T>[]> {
      const [a, b] = await Promise.all([durable.findByIndex<T>(index), ephemeral.findByIndex<T>(index)]);
      // An entry counts only in the store its namespace belongs to (both may be one database).
      return [
        ...a.filter((entry) => storeOf(entry.namespace) === durable),
        ...b.filter((entry) => storeOf(entry.namespace) === ephemeral),
      ];
    },
    async deleteByIndex(index: string): Promise<number> {
      const [a, b] = await Promise.all([durable.deleteByIndex(index), ephemeral.deleteByIndex(index)]);
      return a + b;
    },
    // Messages go where the hot, shared state is.
    notifications: ephemeral.notifications,
    acquireLock: (name, ttlSeconds) => ephemeral.acquireLock(name, ttlSeconds),
    releaseLock: (name, owner) => ephemeral.releaseLock(name, owner),
    increment: (name, windowSeconds) => ephemeral.increment(name, windowSeconds),
    async sweepExpired() {
      const [a, b] = await Promise.all([durable.sweepExpired(), ephemeral.sweepExpired()]);
      return a + b;
    },
    async countEntries() {
      const [a, b] = await Promise.all([durable.countEntries(), ephemeral.countEntries()]);
      return a + b;
    },
    async ping() {
      await Promise.all([durable.ping(), ephemeral.ping()]);
    },
    async close() {
      await Promise.allSettled([durable.close(), ephemeral.close()]);
    },
  } satisfies Store);
}
