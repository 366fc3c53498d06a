import { StoreSchemaOutdatedError, StoreSchemaTooNewError } from './errors.js';

/**
 * What opening a store does to its schema. `auto` (the default) applies missing migrations, as a
 * development setup wants; `check` changes nothing and refuses a schema older than this code
 * needs, for deployments that run `gatehouse store migrate` once before a rolling upgrade. Both
 * refuse a schema newer than this code knows.
 */
export type SchemaMigrationMode = 'auto' | 'check';

/** One database's schema version before and after opening it. `from` is 0 for a fresh database. */
export interface SchemaMigrationResult {
  backend: 'sqlite' | 'postgres' | 'redis';
  from: number;
  to: number;
}

/** Options every persistent backend takes about its schema. */
export interface SchemaOptions {
  /** Default `auto`; see {@link SchemaMigrationMode}. */
  migrate?: SchemaMigrationMode;
  /** Told what the open did to the schema (for `gatehouse store migrate`'s report). */
  onSchema?: (result: SchemaMigrationResult) => void;
}

/**
 * The one rule on a found schema version: newer than `known` is refused in every mode; older is
 * refused in `check` mode. Returns whether migrations should run.
 */
export function checkSchemaVersion(found: number, known: number, mode: SchemaMigrationMode = 'auto'): boolean {
  if (mode !== 'auto' && mode !== 'check') throw new TypeError("migrate must be 'auto' or 'check'");
  if (found > known) throw new StoreSchemaTooNewError(found, known);
  if (found < known && mode === 'check') throw new StoreSchemaOutdatedError(found, known);
  return found < known;
}
