import { type MemoryStoreOptions, openMemoryStore } from './memory.js';
import { observeStore, type StoreObserver } from './observe-store.js';
import { openPostgresStore, type PostgresStoreOptions } from './postgres.js';
import { openRedisStore, type RedisStoreOptions } from './redis.js';
import { splitStore } from './split-store.js';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite.js';
import type { Store } from './store.js';

export type OpenStoreOptions = MemoryStoreOptions &
  SqliteStoreOptions &
  RedisStoreOptions &
  PostgresStoreOptions & {
    /** With a `{ durable, ephemeral }` location: the namespaces that go to the ephemeral store. */
    ephemeralNamespaces?: readonly string[];
    /**
     * Told of every operation of each backend opened (see `observeStore`): both sides of a
     * `{ durable, ephemeral }` store are observed under their own backend name. Default: none.
     */
    observer?: StoreObserver;
  };

/** A store URL, or two: durable state in one store, short-lived state in another. */
export type StoreLocation = string | { durable: string; ephemeral: string };

/**
 * Opens the store a URL names:
 *
 * | URL | backend |
 * | --- | --- |
 * | `memory` | this process's memory |
 * | `sqlite:PATH` | an SQLite file (relative paths from the working directory) |
 * | `redis://…`, `rediss://…` | Redis; `?prefix=NAME` sets the key prefix, `?cluster=true` a Cluster seed |
 * | `postgres://…`, `postgresql://…` | PostgreSQL; `?schema=NAME` sets the schema |
 *
 * Options given here win over the URL's. `{ durable, ephemeral }` opens both and splits them by
 * namespace (see `splitStore`); `options.ephemeralNamespaces` then names the ephemeral namespaces.
 * Throws `TypeError` for a URL of no known backend and `StoreUnavailableError` when a server cannot
 * be reached.
 *
 * @example
 * const store = await openStore('sqlite:.gatehouse/as.db');
 */
export async function openStore(location: StoreLocation, options: OpenStoreOptions = {}): Promise<Store> {
  if (typeof location === 'object' && location !== null) {
    const { ephemeralNamespaces } = options;
    if (!ephemeralNamespaces) throw new TypeError('a { durable, ephemeral } store needs options.ephemeralNamespaces');
    const durable = await openStore(location.durable, options);
    try {
      const ephemeral = await openStore(location.ephemeral, options);
      return splitStore({ durable, ephemeral, ephemeralNamespaces });
    } catch (error) {
      await durable.close();
      throw error;
    }
  }
  const store = await openOneStore(location, options);
  return options.observer ? observeStore(store, options.observer) : store;
}

async function openOneStore(url: string, options: OpenStoreOptions): Promise<Store> {
  if (typeof url !== 'string') throw new TypeError('store URL must be a string');
  if (url === 'memory') return openMemoryStore(options);
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === '') throw new TypeError('store URL sqlite: needs a file path, as in sqlite:.gatehouse/as.db');
    return openSqliteStore(path, options);
  }
  if (/^rediss?:\/\//.test(url)) {
    const { base, params } = splitParameters(url, ['prefix', 'cluster']);
    return openRedisStore(base, {
      ...options,
      keyPrefix: options.keyPrefix ?? params.get('prefix') ?? undefined,
      cluster: options.cluster ?? params.get('cluster') === 'true',
    });
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { base, params } = splitParameters(url, ['schema']);
    return openPostgresStore(base, { ...options, schema: options.schema ?? params.get('schema') ?? undefined });
  }
  throw new TypeError('store URL must be memory, sqlite:PATH, redis://… or postgres://…');
}

/** Takes Gatehouse's own query parameters off a URL, leaving the driver's ones in place. */
function splitParameters(url: string, names: readonly string[]): { base: string; params: URLSearchParams } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError('store URL is not a valid URL');
  }
  const params = new URLSearchParams();
  for (const name of names) {
    const value = parsed.searchParams.get(name);
    if (value !== null) params.set(name, value);
    parsed.searchParams.delete(name);
  }
  return { base: parsed.toString(), params };
}
