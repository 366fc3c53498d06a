import type { HeldLock, Store, StoreBackendKind, StoreNotifications } from './store.js';

/** The store operations an observer sees: the {@link Store} methods, and `publish` / `subscribe`. */
export type StoreOperationName =
  | 'get'
  | 'getEntry'
  | 'put'
  | 'putIfAbsent'
  | 'compareAndSet'
  | 'take'
  | 'delete'
  | 'findByIndex'
  | 'deleteByIndex'
  | 'acquireLock'
  | 'releaseLock'
  | 'increment'
  | 'sweepExpired'
  | 'countEntries'
  | 'ping'
  | 'publish'
  | 'subscribe';

/**
 * What an observer is told of one store call. Deliberately no key, namespace or value: they hold
 * session ids, user ids and token hashes, which must never reach a metric label or a span attribute.
 */
export interface StoreOperation {
  readonly operation: StoreOperationName;
  readonly backend: StoreBackendKind;
}

/**
 * Called as a store operation starts (in the caller's async context, so a tracer can open a child
 * span of the current one); the function it returns is called once when the operation ends, with
 * the error if it failed. Metrics time the call with it, tracing starts and ends a span.
 *
 * @example
 * const observer: StoreObserver = ({ operation, backend }) => {
 *   const started = performance.now();
 *   return (error) => record(backend, operation, performance.now() - started, error !== undefined);
 * };
 */
export type StoreObserver = (operation: StoreOperation) => (error?: unknown) => void;

/**
 * Several observers as one (metrics and tracing on the same store): each is started in order and
 * ended in reverse order, as nested spans would be.
 */
export function combineStoreObservers(...observers: ReadonlyArray<StoreObserver | undefined>): StoreObserver {
  const present = observers.filter((observer): observer is StoreObserver => observer !== undefined);
  if (present.length === 1) return present[0] as StoreObserver;
  return (operation) => {
    const ends = present.map((observer) => observer(operation));
    return (error) => {
      for (let i = ends.length - 1; i >= 0; i--) ends[i]?.(error);
    };
  };
}

const noEnd = (): void => undefined;

/**
 * The same store, with `observer` told of every operation (see {@link StoreObserver}); `close` is
 * not observed. An observer that throws is ignored: watching a store must never break a call.
 * `openStore(url, { observer })` does this for each backend it opens, so a split store reports its
 * durable and ephemeral sides under their own backend names.
 *
 * @example
 * const store = observeStore(await openStore('memory'), storeMetricsObserver(registry));
 */
export function observeStore(store: Store, observer: StoreObserver): Store {
  const backend = store.backend;

  function start(operation: StoreOperationName): (error?: unknown) => void {
    try {
      const end = observer({ operation, backend });
      return (error) => {
        try {
          end(error);
        } catch {
          // A failing observer is its own problem, not the caller's.
        }
      };
    } catch {
      return noEnd;
    }
  }

  async function watch<T>(operation: StoreOperationName, call: () => Promise<T>): Promise<T> {
    const end = start(operation);
    try {
      const result = await call();
      end();
      return result;
    } catch (error) {
      end(error);
      throw error;
    }
  }

  const inner = store.notifications;
  const notifications: StoreNotifications | undefined = inner && {
    get connected() {
      return inner.connected;
    },
    publish: (channel, message) => watch('publish', () => inner.publish(channel, message)),
    subscribe: (channel, listener, onInterrupted) =>
      watch('subscribe', () => inner.subscribe(channel, listener, onInterrupted)),
  };

  const observed: Store = {
    backend,
    notifications,
    get: (namespace, id) => watch('get', () => store.get(namespace, id)),
    getEntry: (namespace, id) => watch('getEntry', () => store.getEntry(namespace, id)),
    put: (namespace, id, value, options) => watch('put', () => store.put(namespace, id, value, options)),
    putIfAbsent: (namespace, id, value, options) =>
      watch('putIfAbsent', () => store.putIfAbsent(namespace, id, value, options)),
    compareAndSet: (namespace, id, version, value, options) =>
      watch('compareAndSet', () => store.compareAndSet(namespace, id, version, value, options)),
    take: (namespace, id) => watch('take', () => store.take(namespace, id)),
    delete: (namespace, id) => watch('delete', () => store.delete(namespace, id)),
    findByIndex: (index) => watch('findByIndex', () => store.findByIndex(index)),
    deleteByIndex: (index) => watch('deleteByIndex', () => store.deleteByIndex(index)),
    acquireLock: (name, ttlSeconds) =>
      watch('acquireLock', async () => {
        const lock = await store.acquireLock(name, ttlSeconds);
        if (lock === undefined) return undefined;
        // Released through this store, so the release is observed too.
        const held: HeldLock = {
          name: lock.name,
          owner: lock.owner,
          expiresAt: lock.expiresAt,
          release: () => observed.releaseLock(lock.name, lock.owner),
        };
        return held;
      }),
    releaseLock: (name, owner) => watch('releaseLock', () => store.releaseLock(name, owner)),
    increment: (name, windowSeconds) => watch('increment', () => store.increment(name, windowSeconds)),
    sweepExpired: () => watch('sweepExpired', () => store.sweepExpired()),
    countEntries: () => watch('countEntries', () => store.countEntries()),
    ping: () => watch('ping', () => store.ping()),
    close: () => store.close(),
  };
  return Object.freeze(observed);
}
