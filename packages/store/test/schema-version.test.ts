import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresUrl, redisUrl, requireService, runScopedName } from '@gatehouse/test-kit';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  migrateStore,
  openStore,
  type SchemaMigrationResult,
  StoreSchemaOutdatedError,
  StoreSchemaTooNewError,
} from '../src/index.js';

// Every persistent backend records its schema version: `migrateStore` brings it up to date once
// (however many instances run it at once), a server in `check` mode changes nothing, and a
// database written by a newer Gatehouse is refused at open.

interface Backend {
  name: string;
  available: boolean;
  /** A fresh database (its own file, schema or key prefix) each call. */
  fresh(): string;
  /** Marks the database as written by a newer Gatehouse. */
  makeNewer(url: string, version: number): Promise<void>;
  /** The version a fully migrated database is at. */
  current: number;
  cleanup(): Promise<void>;
}

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-schema-'));
const pgSchemas: string[] = [];
const redisPrefixes: string[] = [];

const backends: Backend[] = [
  {
    name: 'sqlite',
    available: true,
    fresh: () => `sqlite:${join(folder, `${runScopedName('db_')}.db`)}`,
    async makeNewer(url, version) {
      const db = new Database(url.slice('sqlite:'.length));
      db.pragma(`user_version = ${version}`);
      db.close();
    },
    current: 1,
    cleanup: async () => rmSync(folder, { recursive: true, force: true }),
  },
  {
    name: 'postgres',
    available: await requireService('PostgreSQL', postgresUrl),
    fresh() {
      const schema = runScopedName('gh_schema_');
      pgSchemas.push(schema);
      return `${postgresUrl}${postgresUrl.includes('?') ? '&' : '?'}schema=${schema}`;
    },
    async makeNewer(url, version) {
      const schema = new URL(url).searchParams.get('schema') as string;
      await withPostgres((client) =>
        client.query(`INSERT INTO "${schema}".gatehouse_migrations (version) VALUES ($1)`, [version]),
      );
    },
    current: 1,
    async cleanup() {
      await withPostgres(async (client) => {
        for (const schema of pgSchemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      });
    },
  },
  {
    name: 'redis',
    available: await requireService('Redis', redisUrl),
    fresh() {
      const prefix = `${runScopedName('gatehouse-schema-')}:`;
      redisPrefixes.push(prefix);
      return `${redisUrl}${redisUrl.includes('?') ? '&' : '?'}prefix=${encodeURIComponent(prefix)}`;
    },
    async makeNewer(url, version) {
      const prefix = new URL(url).searchParams.get('prefix') as string;
      const client = new Redis(redisUrl);
      await client.set(`${prefix}schema-version`, String(version));
      await client.quit();
    },
    current: 1,
    async cleanup() {
      const client = new Redis(redisUrl);
      for (const prefix of redisPrefixes) {
        const keys = await client.keys(`${prefix}*`);
        if (keys.length > 0) await client.del(...keys);
      }
      await client.quit();
    },
  },
];

async function withPostgres<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  for (const backend of backends) if (backend.available) await backend.cleanup();
});

for (const backend of backends) {
  describe.skipIf(!backend.available)(`${backend.name} schema versions`, () => {
    it('migrates a fresh database to the current version, and a second migrate is a no-op', async () => {
      const url = backend.fresh();
      expect(await migrateStore(url)).toEqual([{ backend: backend.name, from: 0, to: backend.current }]);
      expect(await migrateStore(url)).toEqual([{ backend: backend.name, from: backend.current, to: backend.current }]);
      const store = await openStore(url, { migrate: 'check' });
      await store.put('schema_test', 'a', 1);
      expect(await store.get('schema_test', 'a')).toBe(1);
      await store.close();
    });

    it('applies the migrations once when five instances migrate at once, and all five succeed', async () => {
      const url = backend.fresh();
      const results = (await Promise.all(Array.from({ length: 5 }, () => migrateStore(url)))).flat();
      expect(results).toHaveLength(5);
      for (const result of results) expect(result.to).toBe(backend.current);
      // Redis records its version key once too: only one of the five found none.
      expect(results.filter((result: SchemaMigrationResult) => result.from === 0)).toHaveLength(1);
    });

    it('refuses to open a database at a newer version, in every mode, naming both versions', async () => {
      const url = backend.fresh();
      await migrateStore(url);
      await backend.makeNewer(url, 99);
      for (const migrate of ['auto', 'check'] as const) {
        const refusal = await openStore(url, { migrate }).then(
          (store) => store.close().then(() => undefined),
          (error: unknown) => error,
        );
        expect(refusal).toBeInstanceOf(StoreSchemaTooNewError);
        expect(refusal).toMatchObject({ code: 'ERR_STORE_SCHEMA_TOO_NEW', found: 99, known: backend.current });
      }
      await expect(migrateStore(url)).rejects.toBeInstanceOf(StoreSchemaTooNewError);
    });

    it.skipIf(backend.name === 'redis')(
      'in check mode, refuses a database that was never migrated and creates nothing',
      async () => {
        const url = backend.fresh();
        await expect(openStore(url, { migrate: 'check' })).rejects.toBeInstanceOf(StoreSchemaOutdatedError);
        // Nothing was created: a migrate still finds version 0.
        expect(await migrateStore(url)).toEqual([{ backend: backend.name, from: 0, to: backend.current }]);
      },
    );
  });
}

describe.skipIf(!backends[2]?.available)('redis schema record', () => {
  it('accepts a Redis with no version record in check mode (restarted without persistence)', async () => {
    const url = backends[2]?.fresh() as string;
    const store = await openStore(url, { migrate: 'check' });
    await store.close();
  });
});
