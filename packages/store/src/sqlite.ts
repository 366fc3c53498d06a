import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { EntryKey, RawEntry, RawWrite, StoreBackend } from './backend.js';
import { createStore, type StoreLimits } from './create-store.js';
import { StoreError, StoreUnavailableError } from './errors.js';
import { checkSchemaVersion, type SchemaMigrationMode, type SchemaOptions } from './schema-version.js';
import type { Store } from './store.js';

export interface SqliteStoreOptions extends StoreLimits, SchemaOptions {
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
  /** How long a write waits for another connection's transaction, in milliseconds. Default 5 000. */
  busyTimeoutMs?: number;
  /** How often expired rows are swept, in milliseconds. Default 60 000; 0 turns the timer off. */
  sweepIntervalMs?: number;
}

/** Schema changes in order; `PRAGMA user_version` records how many have run. Never edit one that shipped. */
const migrations: readonly string[] = [
  `CREATE TABLE gatehouse_entries (
     namespace TEXT NOT NULL,
     id TEXT NOT NULL,
     value TEXT NOT NULL,
     version INTEGER NOT NULL,
     expires_at INTEGER,
     PRIMARY KEY (namespace, id)
   );
   CREATE INDEX gatehouse_entries_expiry ON gatehouse_entries (expires_at) WHERE expires_at IS NOT NULL;
   CREATE TABLE gatehouse_entry_indexes (
     index_key TEXT NOT NULL,
     namespace TEXT NOT NULL,
     id TEXT NOT NULL,
     PRIMARY KEY (index_key, namespace, id),
     FOREIGN KEY (namespace, id) REFERENCES gatehouse_entries (namespace, id) ON DELETE CASCADE
   ) WITHOUT ROWID;
   CREATE INDEX gatehouse_entry_indexes_entry ON gatehouse_entry_indexes (namespace, id);
   CREATE TABLE gatehouse_locks (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL);
   CREATE TABLE gatehouse_counters (name TEXT PRIMARY KEY, count INTEGER NOT NULL, reset_at INTEGER NOT NULL);`,
];

/**
 * A store in one SQLite file (WAL mode): the embedded default. Several processes may open the same
 * file; every operation is one transaction. With `migrate: 'auto'` (default) missing migrations run
 * at open, in one immediate transaction, so concurrent opens apply each once; with `'check'` nothing
 * is changed. A schema newer than this code knows is refused ({@link StoreSchemaTooNewError}).
 * No notifications: instances sharing a file see each other's changes by reading.
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  return createStore(new SqliteBackend(path, options), options);
}

class SqliteBackend implements StoreBackend {
  readonly kind = 'sqlite';
  readonly #db: Database.Database;
  readonly #now: () => number;
  readonly #sweepTimer: NodeJS.Timeout | undefined;
  readonly #sql;
  readonly #writeEntry: (key: EntryKey, write: RawWrite, mode: 'put' | 'absent' | number) => number | undefined;
  readonly #deleteByIndex: (index: string) => number;

  constructor(path: string, options: SqliteStoreOptions) {
    this.#now = options.now ?? Date.now;
    this.#db = sqliteCall(() => {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      return new Database(path, { timeout: options.busyTimeoutMs ?? 5_000 });
    });
    sqliteCall(() => {
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = NORMAL');
      this.#db.pragma('foreign_keys = ON');
    });
    try {
      const from = sqliteCall(() => migrate(this.#db, options.migrate ?? 'auto'));
      options.onSchema?.({ backend: 'sqlite', from, to: migrations.length });
    } catch (error) {
      this.#db.close();
      throw error;
    }
    const db = this.#db;
    this.#sql = {
      get: db.prepare<[string, string, number], { value: string; version: number; expires_at: number | null }>(
        `SELECT value, version, expires_at FROM gatehouse_entries
         WHERE namespace = ? AND id = ? AND (expires_at IS NULL OR expires_at > ?)`,
      ),
      current: db.prepare<[string, string], { version: number; expires_at: number | null }>(
        'SELECT version, expires_at FROM gatehouse_entries WHERE namespace = ? AND id = ?',
      ),
      upsert: db.prepare(
        `INSERT INTO gatehouse_entries (namespace, id, value, version, expires_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (namespace, id) DO UPDATE SET
           value = excluded.value, version = excluded.version, expires_at = excluded.expires_at`,
      ),
      clearIndexes: db.prepare('DELETE FROM gatehouse_entry_indexes WHERE namespace = ? AND id = ?'),
      addIndex: db.prepare('INSERT INTO gatehouse_entry_indexes (index_key, namespace, id) VALUES (?, ?, ?)'),
      take: db.prepare<[string, string], { value: string; expires_at: number | null }>(
        'DELETE FROM gatehouse_entries WHERE namespace = ? AND id = ? RETURNING value, expires_at',
      ),
      findByIndex: db.prepare<
        [string, number],
        { namespace: string; id: string; value: string; version: number; expires_at: number | null }
      >(
        `SELECT e.namespace, e.id, e.value, e.version, e.expires_at
         FROM gatehouse_entry_indexes i JOIN gatehouse_entries e ON e.namespace = i.namespace AND e.id = i.id
         WHERE i.index_key = ? AND (e.expires_at IS NULL OR e.expires_at > ?)`,
      ),
      deleteByIndex: db.prepare<[string], { expires_at: number | null }>(
        `DELETE FROM gatehouse_entries WHERE (namespace, id) IN
           (SELECT namespace, id FROM gatehouse_entry_indexes WHERE index_key = ?)
         RETURNING expires_at`,
      ),
      acquireLock: db.prepare<[string, string, number, number], { owner: string }>(
        `INSERT INTO gatehouse_locks (name, owner, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE gatehouse_locks.expires_at <= ?
         RETURNING owner`,
      ),
      releaseLock: db.prepare('DELETE FROM gatehouse_locks WHERE name = ? AND owner = ? AND expires_at > ?'),
      increment: db.prepare<[string, number, number, number, number], { count: number; reset_at: number }>(
        `INSERT INTO gatehouse_counters (name, count, reset_at) VALUES (?, 1, ?)
         ON CONFLICT (name) DO UPDATE SET
           count = CASE WHEN gatehouse_counters.reset_at <= ? THEN 1 ELSE gatehouse_counters.count + 1 END,
           reset_at = CASE WHEN gatehouse_counters.reset_at <= ? THEN ? ELSE gatehouse_counters.reset_at END
         RETURNING count, reset_at`,
      ),
      sweepEntries: db.prepare('DELETE FROM gatehouse_entries WHERE expires_at IS NOT NULL AND expires_at <= ?'),
      sweepLocks: db.prepare('DELETE FROM gatehouse_locks WHERE expires_at <= ?'),
      sweepCounters: db.prepare('DELETE FROM gatehouse_counters WHERE reset_at <= ?'),
      count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM gatehouse_entries'),
    };

    // One immediate transaction per write: the read of the current version and the write cannot be
    // split by another connection.
    const writeEntry = db.transaction(
      (key: EntryKey, write: RawWrite, mode: 'put' | 'absent' | number): number | undefined => {
        const now = this.#now();
        const row = this.#sql.current.get(key.namespace, key.id);
        const live = row !== undefined && (row.expires_at === null || row.expires_at > now);
        if (mode === 'absent' && live) return undefined;
        if (typeof mode === 'number' && (!live || row.version !== mode)) return undefined;
        const version = live ? row.version + 1 : write.initialVersion;
        const expiresAt = write.ttlMs === null ? null : now + write.ttlMs;
        this.#sql.upsert.run(key.namespace, key.id, write.value, version, expiresAt);
        this.#sql.clearIndexes.run(key.namespace, key.id);
        for (const index of write.indexes) this.#sql.addIndex.run(index, key.namespace, key.id);
        return version;
      },
    );
    this.#writeEntry = (key, write, mode) => writeEntry.immediate(key, write, mode);
    const deleteByIndex = db.transaction((index: string): number => {
      const now = this.#now();
      return this.#sql.deleteByIndex.all(index).filter((row) => row.expires_at === null || row.expires_at > now).length;
    });
    this.#deleteByIndex = (index) => deleteByIndex.immediate(index);

    const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    if (sweepIntervalMs > 0) {
      this.#sweepTimer = setInterval(() => this.sweepExpired().catch(() => undefined), sweepIntervalMs);
      this.#sweepTimer.unref();
    }
  }

  async get(key: EntryKey): Promise<RawEntry | undefined> {
    const row = sqliteCall(() => this.#sql.get.get(key.namespace, key.id, this.#now()));
    return row && { value: row.value, version: row.version, expiresAt: row.expires_at };
  }

  async put(key: EntryKey, write: RawWrite): Promise<number> {
    return sqliteCall(() => this.#writeEntry(key, write, 'put')) as number;
  }

  async putIfAbsent(key: EntryKey, write: RawWrite): Promise<number | undefined> {
    return sqliteCall(() => this.#writeEntry(key, write, 'absent'));
  }

  async compareAndSet(key: EntryKey, expectedVersion: number, write: RawWrite): Promise<number | undefined> {
    return sqliteCall(() => this.#writeEntry(key, write, expectedVersion));
  }

  async take(key: EntryKey): Promise<string | undefined> {
    // One DELETE … RETURNING: the row goes to exactly one caller even across connections.
    const row = sqliteCall(() => this.#sql.take.get(key.namespace, key.id));
    if (!row || (row.expires_at !== null && row.expires_at <= this.#now())) return undefined;
    return row.value;
  }

  async delete(key: EntryKey): Promise<boolean> {
    return (await this.take(key)) !== undefined;
  }

  async findByIndex(index: string): Promise<Array<EntryKey & RawEntry>> {
    const rows = sqliteCall(() => this.#sql.findByIndex.all(index, this.#now()));
    return rows.map((row) => ({
      namespace: row.namespace,
      id: row.id,
      value: row.value,
      version: row.version,
      expiresAt: row.expires_at,
    }));
  }

  async deleteByIndex(index: string): Promise<number> {
    return sqliteCall(() => this.#deleteByIndex(index));
  }

  async acquireLock(name: string, owner: string, ttlMs: number): Promise<number | undefined> {
    const now = this.#now();
    const row = sqliteCall(() => this.#sql.acquireLock.get(name, owner, now + ttlMs, now));
    return row?.owner === owner ? now + ttlMs : undefined;
  }

  async releaseLock(name: string, owner: string): Promise<boolean> {
    return sqliteCall(() => this.#sql.releaseLock.run(name, owner, this.#now())).changes === 1;
  }

  async increment(name: string, windowMs: number): Promise<{ count: number; resetAt: number }> {
    const now = this.#now();
    const row = sqliteCall(() => this.#sql.increment.get(name, now + windowMs, now, now, now + windowMs));
    if (!row) throw new StoreError('sqlite counter update returned no row');
    return { count: row.count, resetAt: row.reset_at };
  }

  async sweepExpired(): Promise<number> {
    const now = this.#now();
    return sqliteCall(
      () =>
        this.#sql.sweepEntries.run(now).changes +
        this.#sql.sweepLocks.run(now).changes +
        this.#sql.sweepCounters.run(now).changes,
    );
  }

  async countEntries(): Promise<number> {
    return sqliteCall(() => this.#sql.count.get()?.n ?? 0);
  }

  async ping(): Promise<void> {
    // Reads the schema version: the file is open and readable, without touching an entry.
    sqliteCall(() => this.#db.pragma('user_version', { simple: true }));
  }

  async close(): Promise<void> {
    clearInterval(this.#sweepTimer);
    this.#db.close();
  }
}

/** Brings the schema up to date (or only checks it); returns the version found. */
function migrate(db: Database.Database, mode: SchemaMigrationMode): number {
  const apply = db.transaction((): number => {
    const applied = db.pragma('user_version', { simple: true }) as number;
    if (!checkSchemaVersion(applied, migrations.length, mode)) return applied;
    for (let version = applied; version < migrations.length; version += 1) {
      db.exec(migrations[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    }
    return applied;
  });
  // Check mode only reads; auto takes the write lock first, so two first opens cannot both migrate.
  return mode === 'check' ? apply.deferred() : apply.immediate();
}

/** SQLite reports a lock it waited on for the whole busy timeout as SQLITE_BUSY: the store is unavailable. */
function sqliteCall<T>(operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))) {
      throw new StoreUnavailableError('the SQLite database stayed locked by another connection', { cause: error });
    }
    const cannotOpen = ['ENOTDIR', 'EACCES', 'EROFS', 'ENOENT', 'EEXIST', 'ENOSPC'];
    if (
      typeof code === 'string' &&
      (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || cannotOpen.includes(code))
    ) {
      throw new StoreUnavailableError('the SQLite database file cannot be opened for writing', { cause: error });
    }
    throw error;
  }
}
