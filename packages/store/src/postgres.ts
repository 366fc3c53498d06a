import pg from 'pg';
import type { EntryKey, RawEntry, RawWrite, StoreBackend } from './backend.js';
import { createStore, type StoreLimits } from './create-store.js';
import { StoreError, StoreUnavailableError } from './errors.js';
import { postgresNotifications } from './postgres-notifications.js';
import { checkSchemaVersion, type SchemaOptions } from './schema-version.js';
import type { Store } from './store.js';

export interface PostgresStoreOptions extends StoreLimits, SchemaOptions {
  /** Schema holding Gatehouse's tables; created on first use. Default `gatehouse`. */
  schema?: string;
  /** Clock in milliseconds since the epoch, used for expiry so it agrees with the other backends. */
  now?: () => number;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** Longest wait for a connection, in milliseconds. Default 3 000. */
  connectTimeoutMs?: number;
  /** Longest wait for a query's answer, in milliseconds. Default 5 000. */
  queryTimeoutMs?: number;
  /** How often expired rows are swept, in milliseconds. Default 60 000; 0 turns the timer off. */
  sweepIntervalMs?: number;
}

const schemaPattern = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Schema changes in order, recorded in `gatehouse_migrations`. `$S` stands for the quoted schema.
 * Never edit one that shipped: add the next.
 */
const migrations: readonly string[] = [
  `CREATE TABLE $S.gatehouse_entries (
     namespace text NOT NULL,
     id text NOT NULL,
     value text NOT NULL,
     version bigint NOT NULL,
     expires_at bigint,
     indexes text[] NOT NULL DEFAULT '{}',
     PRIMARY KEY (namespace, id)
   );
   CREATE INDEX gatehouse_entries_expiry ON $S.gatehouse_entries (expires_at) WHERE expires_at IS NOT NULL;
   CREATE INDEX gatehouse_entries_indexes ON $S.gatehouse_entries USING gin (indexes);
   CREATE TABLE $S.gatehouse_locks (name text PRIMARY KEY, owner text NOT NULL, expires_at bigint NOT NULL);
   CREATE TABLE $S.gatehouse_counters (name text PRIMARY KEY, count bigint NOT NULL, reset_at bigint NOT NULL);`,
];

/**
 * A store in PostgreSQL: durable state shared by every instance. With `migrate: 'auto'` (default)
 * the schema and its tables are created or brought up to date at open, under an advisory lock so
 * concurrent starts (or `gatehouse store migrate` runs) agree; with `'check'` nothing is changed.
 * Either way a schema newer than this code knows is refused ({@link StoreSchemaTooNewError}).
 * Notifications use LISTEN/NOTIFY on a connection of their own.
 */
export async function openPostgresStore(connectionString: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const schema = options.schema ?? 'gatehouse';
  if (!schemaPattern.test(schema)) throw new TypeError('schema must match /^[a-z_][a-z0-9_]{0,62}$/');
  const queryTimeoutMs = options.queryTimeoutMs ?? 5_000;
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 3_000,
    query_timeout: queryTimeoutMs,
    statement_timeout: queryTimeoutMs,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'gatehouse',
  });
  // An idle connection dropped by the server must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const notifications = postgresNotifications({
    schema,
    connect: () =>
      new pg.Client({
        connectionString,
        connectionTimeoutMillis: options.connectTimeoutMs ?? 3_000,
        query_timeout: queryTimeoutMs,
        keepAlive: true,
        application_name: 'gatehouse-listen',
      }),
    notify: async (channel, payload) => {
      try {
        await pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
      } catch (error) {
        throw toStoreError(error);
      }
    },
  });
  const backend = new PostgresBackend(pool, `"${schema}"`, options, notifications);
  try {
    const from = await backend.migrate(schema, options.migrate ?? 'auto');
    options.onSchema?.({ backend: 'postgres', from, to: migrations.length });
  } catch (error) {
    notifications.close();
    await pool.end().catch(() => undefined);
    throw toStoreError(error);
  }
  return createStore(backend, options);
}

class PostgresBackend implements StoreBackend {
  readonly kind = 'postgres';
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #now: () => number;
  readonly #sweepTimer: NodeJS.Timeout | undefined;
  readonly #sql: Record<string, string>;
  readonly notifications: ReturnType<typeof postgresNotifications>;

  constructor(
    pool: pg.Pool,
    quotedSchema: string,
    options: PostgresStoreOptions,
    notifications: ReturnType<typeof postgresNotifications>,
  ) {
    this.#pool = pool;
    this.notifications = notifications;
    this.#schema = quotedSchema;
    this.#now = options.now ?? Date.now;
    const entries = `${quotedSchema}.gatehouse_entries`;
    const locks = `${quotedSchema}.gatehouse_locks`;
    const counters = `${quotedSchema}.gatehouse_counters`;
    // $n parameters; `live` is the expiry test every read applies.
    const live = (now: string) => `(expires_at IS NULL OR expires_at > ${now})`;
    this.#sql = {
      get: `SELECT value, version, expires_at FROM ${entries} WHERE namespace = $1 AND id = $2 AND ${live('$3')}`,
      // An overwrite of a live entry increments its version; of an expired one starts afresh.
      put: `INSERT INTO ${entries} AS e (namespace, id, value, version, expires_at, indexes)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (namespace, id) DO UPDATE SET
              value = excluded.value, expires_at = excluded.expires_at, indexes = excluded.indexes,
              version = CASE WHEN e.expires_at IS NULL OR e.expires_at > $7 THEN e.version + 1 ELSE excluded.version END
            RETURNING version`,
      putIfAbsent: `INSERT INTO ${entries} AS e (namespace, id, value, version, expires_at, indexes)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (namespace, id) DO UPDATE SET
              value = excluded.value, expires_at = excluded.expires_at, indexes = excluded.indexes,
              version = excluded.version
            WHERE e.expires_at IS NOT NULL AND e.expires_at <= $7
            RETURNING version`,
      compareAndSet: `UPDATE ${entries} SET value = $3, expires_at = $4, indexes = $5, version = version + 1
            WHERE namespace = $1 AND id = $2 AND version = $6 AND ${live('$7')}
            RETURNING version`,
      take: `DELETE FROM ${entries} WHERE namespace = $1 AND id = $2 RETURNING value, expires_at`,
      findByIndex: `SELECT namespace, id, value, version, expires_at FROM ${entries}
            WHERE indexes @> ARRAY[$1::text] AND ${live('$2')}`,
      deleteByIndex: `DELETE FROM ${entries} WHERE indexes @> ARRAY[$1::text] RETURNING expires_at`,
      acquireLock: `INSERT INTO ${locks} AS l (name, owner, expires_at) VALUES ($1, $2, $3)
            ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
            WHERE l.expires_at <= $4
            RETURNING owner`,
      releaseLock: `DELETE FROM ${locks} WHERE name = $1 AND owner = $2 AND expires_at > $3`,
      increment: `INSERT INTO ${counters} AS c (name, count, reset_at) VALUES ($1, 1, $2)
            ON CONFLICT (name) DO UPDATE SET
              count = CASE WHEN c.reset_at <= $3 THEN 1 ELSE c.count + 1 END,
              reset_at = CASE WHEN c.reset_at <= $3 THEN $2 ELSE c.reset_at END
            RETURNING count, reset_at`,
      sweep: `WITH e AS (DELETE FROM ${entries} WHERE expires_at IS NOT NULL AND expires_at <= $1 RETURNING 1),
                   l AS (DELETE FROM ${locks} WHERE expires_at <= $1 RETURNING 1),
                   c AS (DELETE FROM ${counters} WHERE reset_at <= $1 RETURNING 1)
              SELECT (SELECT count(*) FROM e) + (SELECT count(*) FROM l) + (SELECT count(*) FROM c) AS n`,
      count: `SELECT count(*) AS n FROM ${entries}`,
      ping: 'SELECT 1',
    };
    const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    if (sweepIntervalMs > 0) {
      this.#sweepTimer = setInterval(() => this.sweepExpired().catch(() => undefined), sweepIntervalMs);
      this.#sweepTimer.unref();
    }
  }

  /** Brings the schema up to date (or only checks it); returns the version found. */
  async migrate(schema: string, mode: 'auto' | 'check'): Promise<number> {
    const client = await this.#pool.connect();
    try {
      if (mode === 'check') {
        // Reads only: a server that leaves migrations to `gatehouse store migrate` changes nothing.
        const found = await this.#appliedVersion(client);
        checkSchemaVersion(found, migrations.length, mode);
        return found;
      }
      await client.query('BEGIN');
      // Serialises concurrent starts and migrate runs: CREATE SCHEMA IF NOT EXISTS alone can still race.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`gatehouse-migrate:${schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.#schema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.#schema}.gatehouse_migrations
           (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const found = await this.#appliedVersion(client);
      checkSchemaVersion(found, migrations.length, mode);
      for (let version = found; version < migrations.length; version += 1) {
        await client.query((migrations[version] as string).replaceAll('$S', this.#schema));
        await client.query(`INSERT INTO ${this.#schema}.gatehouse_migrations (version) VALUES ($1)`, [version + 1]);
      }
      await client.query('COMMIT');
      return found;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** The schema version recorded in `gatehouse_migrations`; 0 when the schema or table is missing. */
  async #appliedVersion(client: pg.PoolClient): Promise<number> {
    try {
      const { rows } = await client.query<{ v: number | null }>(
        `SELECT max(version) AS v FROM ${this.#schema}.gatehouse_migrations`,
      );
      return rows[0]?.v ?? 0;
    } catch (error) {
      if ((error as { code?: unknown }).code === '42P01') return 0; // undefined_table (or schema)
      throw error;
    }
  }

  async get(key: EntryKey): Promise<RawEntry | undefined> {
    const row = (await this.#query<EntryRow>('get', [key.namespace, key.id, this.#now()]))[0];
    return row && toRawEntry(row);
  }

  async put(key: EntryKey, write: RawWrite): Promise<number> {
    const now = this.#now();
    const rows = await this.#query<{ version: string }>('put', [
      key.namespace,
      key.id,
      write.value,
      write.initialVersion,
      expiry(now, write),
      write.indexes,
      now,
    ]);
    return Number(rows[0]?.version);
  }

  async putIfAbsent(key: EntryKey, write: RawWrite): Promise<number | undefined> {
    const now = this.#now();
    const rows = await this.#query<{ version: string }>('putIfAbsent', [
      key.namespace,
      key.id,
      write.value,
      write.initialVersion,
      expiry(now, write),
      write.indexes,
      now,
    ]);
    return rows[0] ? Number(rows[0].version) : undefined;
  }

  async compareAndSet(key: EntryKey, expectedVersion: number, write: RawWrite): Promise<number | undefined> {
    const now = this.#now();
    const rows = await this.#query<{ version: string }>('compareAndSet', [
      key.namespace,
      key.id,
      write.value,
      expiry(now, write),
      write.indexes,
      expectedVersion,
      now,
    ]);
    return rows[0] ? Number(rows[0].version) : undefined;
  }

  async take(key: EntryKey): Promise<string | undefined> {
    // One DELETE … RETURNING: the row lock hands the row to exactly one transaction.
    const row = (await this.#query<{ value: string; expires_at: string | null }>('take', [key.namespace, key.id]))[0];
    if (!row || (row.expires_at !== null && Number(row.expires_at) <= this.#now())) return undefined;
    return row.value;
  }

  async delete(key: EntryKey): Promise<boolean> {
    return (await this.take(key)) !== undefined;
  }

  async findByIndex(index: string): Promise<Array<EntryKey & RawEntry>> {
    const rows = await this.#query<EntryRow & { namespace: string; id: string }>('findByIndex', [index, this.#now()]);
    return rows.map((row) => ({ namespace: row.namespace, id: row.id, ...toRawEntry(row) }));
  }

  async deleteByIndex(index: string): Promise<number> {
    const now = this.#now();
    const rows = await this.#query<{ expires_at: string | null }>('deleteByIndex', [index]);
    return rows.filter((row) => row.expires_at === null || Number(row.expires_at) > now).length;
  }

  async acquireLock(name: string, owner: string, ttlMs: number): Promise<number | undefined> {
    const now = this.#now();
    const rows = await this.#query<{ owner: string }>('acquireLock', [name, owner, now + ttlMs, now]);
    return rows[0]?.owner === owner ? now + ttlMs : undefined;
  }

  async releaseLock(name: string, owner: string): Promise<boolean> {
    const result = await this.#run('releaseLock', [name, owner, this.#now()]);
    return result.rowCount === 1;
  }

  async increment(name: string, windowMs: number): Promise<{ count: number; resetAt: number }> {
    const now = this.#now();
    const row = (await this.#query<{ count: string; reset_at: string }>('increment', [name, now + windowMs, now]))[0];
    if (!row) throw new StoreError('postgres counter update returned no row');
    return { count: Number(row.count), resetAt: Number(row.reset_at) };
  }

  async sweepExpired(): Promise<number> {
    const rows = await this.#query<{ n: string }>('sweep', [this.#now()]);
    return Number(rows[0]?.n ?? 0);
  }

  async countEntries(): Promise<number> {
    const rows = await this.#query<{ n: string }>('count', []);
    return Number(rows[0]?.n ?? 0);
  }

  async ping(): Promise<void> {
    await this.#run('ping', []);
  }

  async close(): Promise<void> {
    clearInterval(this.#sweepTimer);
    this.notifications.close();
    await this.#pool.end();
  }

  async #query<R extends pg.QueryResultRow>(name: string, values: unknown[]): Promise<R[]> {
    return (await this.#run<R>(name, values)).rows;
  }

  async #run<R extends pg.QueryResultRow>(name: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      // Named statements are prepared once per connection.
      return await this.#pool.query<R>({ name: `gatehouse_${name}`, text: this.#sql[name] as string, values });
    } catch (error) {
      throw toStoreError(error);
    }
  }
}

interface EntryRow {
  value: string;
  version: string;
  expires_at: string | null;
}

function toRawEntry(row: EntryRow): RawEntry {
  return {
    value: row.value,
    version: Number(row.version),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  };
}

function expiry(now: number, write: RawWrite): number | null {
  return write.ttlMs === null ? null : now + write.ttlMs;
}

// SQLSTATE classes that mean "the server is not there for us right now".
const unavailableSqlStates = /^(08|53|57P0[1-4]|57014)/;
const unavailableMessages =
  /timeout|terminated|ECONNREFUSED|ECONNRESET|EPIPE|ENOTFOUND|EHOSTUNREACH|not queryable|Connection/i;

function toStoreError(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (
    (typeof code === 'string' && unavailableSqlStates.test(code)) ||
    unavailableMessages.test(`${String(code)} ${message}`)
  ) {
    return new StoreUnavailableError('PostgreSQL is unavailable', { cause: error });
  }
  return new StoreError('PostgreSQL operation failed', { cause: error });
}
