// The production stores a benchmark run uses — Redis and PostgreSQL on loopback — under names of
// its own (a Redis key prefix, a PostgreSQL schema per run), counted for the parity checks and
// removed afterwards, so runs never see each other's data and leave nothing behind.
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import pg from 'pg';

export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const postgresUrl = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh run id: `bench_<pid>_<hex>`, valid as a schema name and in a Redis key prefix. */
export function newRunId() {
  return `bench_${process.pid}_${randomBytes(3).toString('hex')}`;
}

/** The Redis key prefix and PostgreSQL schema of one system under test in one run. */
export function storeNames(runId, system) {
  const safe = system.replace(/[^a-z0-9]/gi, '_').toLowerCase();
  return { redisPrefix: `gh-${runId}-${safe}:`, schema: `gh_${runId}_${safe}` };
}

/** Keys under `prefix` in Redis. */
export async function countRedisKeys(prefix) {
  const client = new Redis(redisUrl, { lazyConnect: true });
  try {
    await client.connect();
    let count = 0;
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      count += keys.length;
    } while (cursor !== '0');
    return count;
  } finally {
    client.disconnect();
  }
}

/** Rows of Gatehouse's entries table in `schema` (0 when the schema does not exist). */
export async function countPostgresEntries(schema) {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1', [schema]);
    if (exists.rowCount === 0) return 0;
    const result = await client.query(`SELECT count(*)::int AS n FROM "${schema}".gatehouse_entries`);
    return result.rows[0].n;
  } finally {
    await client.end();
  }
}

/**
 * Deletes every Redis key under each prefix and drops each schema. Never throws: a failed clean-up is
 * printed, and the run's figures stand.
 *
 * @param {{ redisPrefixes?: string[], schemas?: string[] }} names
 */
export async function removeStores({ redisPrefixes = [], schemas = [] }) {
  const removed = [];
  try {
    const client = new Redis(redisUrl, { lazyConnect: true });
    await client.connect();
    for (const prefix of redisPrefixes) {
      let cursor = '0';
      let count = 0;
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) count += await client.unlink(...keys);
      } while (cursor !== '0');
      removed.push(`${count} Redis keys under ${prefix}`);
    }
    client.disconnect();
  } catch (error) {
    console.error(`clean-up of Redis failed: ${error.message}`);
  }
  try {
    if (schemas.length > 0) {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      for (const schema of schemas) {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        removed.push(`schema ${schema}`);
      }
      await client.end();
    }
  } catch (error) {
    console.error(`clean-up of PostgreSQL failed: ${error.message}`);
  }
  if (removed.length > 0) console.log(`cleaned up: ${removed.join(', ')}`);
}

/**
 * Removes what earlier runs left behind when they were killed before their clean-up: Redis keys and
 * schemas named for a run (`bench_<pid>_…`) whose process no longer exists. A run still going (its
 * process alive) is left alone.
 */
export async function removeOrphans() {
  const isGone = (pid) => {
    try {
      process.kill(pid, 0);
      return false;
    } catch (error) {
      return error.code === 'ESRCH';
    }
  };
  const redisPrefixes = new Set();
  const schemas = [];
  try {
    const client = new Redis(redisUrl, { lazyConnect: true });
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', 'gh-bench_*', 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const match = /^gh-(bench_(\d+)_[0-9a-f]+)-[a-z0-9_]+:/.exec(key);
        if (match && isGone(Number(match[2]))) redisPrefixes.add(key.slice(0, key.indexOf(':') + 1));
      }
    } while (cursor !== '0');
    client.disconnect();
    const pgClient = new pg.Client({ connectionString: postgresUrl });
    await pgClient.connect();
    const found = await pgClient.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'gh\\_bench\\_%'");
    await pgClient.end();
    for (const { nspname } of found.rows) {
      const pid = Number(/^gh_bench_(\d+)_/.exec(nspname)?.[1]);
      if (pid && isGone(pid)) schemas.push(nspname);
    }
  } catch (error) {
    console.error(`looking for earlier runs' leftovers failed: ${error.message}`);
    return;
  }
  if (redisPrefixes.size > 0 || schemas.length > 0) {
    console.log('removing what killed earlier runs left behind:');
    await removeStores({ redisPrefixes: [...redisPrefixes], schemas });
  }
}
