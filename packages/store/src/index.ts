export type { StoreLimits } from './create-store.js';
export {
  StoreClosedError,
  StoreError,
  StoreInputError,
  StoreSchemaOutdatedError,
  StoreSchemaTooNewError,
  StoreUnavailableError,
} from './errors.js';
export type { MemoryStoreOptions } from './memory.js';
export { openMemoryStore } from './memory.js';
export { migrateStore } from './migrate-store.js';
export {
  combineStoreObservers,
  observeStore,
  type StoreObserver,
  type StoreOperation,
  type StoreOperationName,
} from './observe-store.js';
export type { OpenStoreOptions, StoreLocation } from './open-store.js';
export { openStore } from './open-store.js';
export type { PostgresStoreOptions } from './postgres.js';
export { openPostgresStore } from './postgres.js';
export type { CountedUse, RateLimitRule } from './rate-limiter.js';
export { RateLimiter, rateLimitNamespaces } from './rate-limiter.js';
export type { RedisStoreOptions } from './redis.js';
export { openRedisStore } from './redis.js';
export type { SchemaMigrationMode, SchemaMigrationResult, SchemaOptions } from './schema-version.js';
export type { SplitStoreParts } from './split-store.js';
export { splitStore } from './split-store.js';
export type { SqliteStoreOptions } from './sqlite.js';
export { openSqliteStore } from './sqlite.js';
export type {
  CounterWindow,
  HeldLock,
  IndexedEntry,
  JsonValue,
  Store,
  StoreBackendKind,
  StoredEntry,
  WriteOptions,
} from './store.js';
export { type Rechecked, type WaitForLockOptions, waitForLock } from './wait-for-lock.js';
