import { openStore, type SchemaMigrationMode, type StoreLocation, StoreSchemaOutdatedError } from '@gatehouse/store';
import { type Check, withDeadline } from './check.js';

/**
 * One check per store a configuration names (`store`, or `store durable` and `store ephemeral` for a
 * split one): open it, ping it once, close it. The store is opened with `migrate: 'check'`, so the
 * check changes nothing: a schema older than this Gatehouse needs is fine when the server migrates
 * at start (`storeMigration: "auto"`), and a failure when it leaves that to `gatehouse store
 * migrate`. The line names the backend, never the URL, which may carry a password.
 */
export function storeChecks(location: StoreLocation, migration: SchemaMigrationMode, timeoutMs: number): Check[] {
  if (typeof location === 'string') return [storeCheck('store', location, migration, timeoutMs)];
  return [
    storeCheck('store durable', location.durable, migration, timeoutMs),
    storeCheck('store ephemeral', location.ephemeral, migration, timeoutMs),
  ];
}

function storeCheck(name: string, url: string, migration: SchemaMigrationMode, timeoutMs: number): Check {
  return {
    name,
    async run() {
      const started = performance.now();
      const opening = openStore(url, { migrate: 'check' });
      let store: Awaited<typeof opening>;
      try {
        store = await withDeadline(opening, timeoutMs, (late) => late.close().catch(() => undefined));
      } catch (error) {
        // It answered: the schema was read. Whether an old one is a problem is the server's setting.
        if (error instanceof StoreSchemaOutdatedError && migration === 'auto') {
          return `${backendOf(url)}, schema version ${error.found} of ${error.needed}: the server migrates it at start`;
        }
        throw error;
      }
      try {
        await withDeadline(store.ping(), timeoutMs);
      } finally {
        await store.close().catch(() => undefined);
      }
      return `${store.backend}, answered in ${(performance.now() - started).toFixed(1)} ms`;
    },
  };
}

function backendOf(url: string): string {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (/^rediss?:/.test(url)) return 'redis';
  if (/^postgres(ql)?:/.test(url)) return 'postgres';
  return 'memory';
}
