import { type OpenStoreOptions, openStore, type StoreLocation } from './open-store.js';
import type { SchemaMigrationResult } from './schema-version.js';

/**
 * Brings the schema of every database `location` names up to date and reports each one's version
 * before and after (the memory store has none, and reports nothing). Idempotent, and safe when
 * several instances run it at once: PostgreSQL migrates under an advisory lock, SQLite in one
 * immediate transaction, so each migration is applied exactly once. Refuses a database at a newer
 * version than this code knows ({@link StoreSchemaTooNewError}), changing nothing.
 *
 * @example
 * const [result] = await migrateStore('postgres://gatehouse@db/gatehouse');
 * console.log(`${result.backend}: ${result.from} → ${result.to}`);
 */
export async function migrateStore(
  location: StoreLocation,
  options: Omit<OpenStoreOptions, 'migrate' | 'onSchema'> = {},
): Promise<SchemaMigrationResult[]> {
  const urls = typeof location === 'object' && location !== null ? [location.durable, location.ephemeral] : [location];
  const results: SchemaMigrationResult[] = [];
  for (const url of urls) {
    const store = await openStore(url, {
      ...options,
      migrate: 'auto',
      onSchema: (result) => results.push(result),
      sweepIntervalMs: 0,
    });
    await store.close();
  }
  return results;
}
