import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, postgresUrl, redisUrl, requireService, runScopedName } from '@gatehouse/test-kit';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type Io, runGatehouse } from '../src/index.js';

// `gatehouse store migrate` brings a store's schema up to date once, however often and from however
// many instances it runs; servers in "storeMigration": "check" mode leave the schema alone and refuse
// a store it has not migrated; every server refuses a schema newer than it knows.

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-store-migrate-'));
const services = (await requireService('PostgreSQL', postgresUrl)) && (await requireService('Redis', redisUrl));
const schemas: string[] = [];
const prefixes: string[] = [];

afterAll(async () => {
  if (!services) return;
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
  const redis = new Redis(redisUrl);
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis.quit();
});

function gatehouse(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  let stop: (signal: string) => void = () => undefined;
  const io: Io = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    stopSignal: new Promise((resolve) => {
      stop = resolve;
    }),
    readStdin: async () => '',
  };
  const done = runGatehouse(args, io).then((code) => ({ code, stdout: out.join('\n'), stderr: err.join('\n') }));
  return { done, stop: () => stop('SIGTERM'), out };
}

async function asConfig(store: unknown, extra: Record<string, unknown> = {}) {
  const port = await freePort();
  const path = join(folder, `as-${port}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      issuer: `http://127.0.0.1:${port}`,
      port,
      store,
      cookieSecrets: ['store-migrate-cookie-secret-0123456789abc'],
      ...extra,
    }),
  );
  return path;
}

describe('gatehouse store migrate', () => {
  it('migrates a fresh SQLite store once, and says so; a second run changes nothing', async () => {
    const db = join(folder, `${runScopedName('fresh_')}.db`);
    const config = await asConfig(`sqlite:${db}`);
    const first = await gatehouse(['store', 'migrate', '--config', config]).done;
    expect(first).toMatchObject({ code: 0, stdout: 'sqlite store schema migrated from version 0 to 1' });
    const second = await gatehouse(['store', 'migrate', '--store', `sqlite:${db}`]).done;
    expect(second).toMatchObject({ code: 0, stdout: 'sqlite store schema at version 1, up to date' });
  });

  it('refuses a store written by a newer Gatehouse, in one line, exit 1, and leaves it unchanged', async () => {
    const db = join(folder, `${runScopedName('newer_')}.db`);
    await gatehouse(['store', 'migrate', '--store', `sqlite:${db}`]).done;
    const raw = new Database(db);
    raw.pragma('user_version = 7');
    raw.close();
    const refused = await gatehouse(['store', 'migrate', '--store', `sqlite:${db}`]).done;
    expect(refused).toMatchObject({
      code: 1,
      stderr:
        'gatehouse store migrate: store schema version 7 is newer than this Gatehouse knows (1); upgrade Gatehouse',
    });
    const check = new Database(db);
    expect(check.pragma('user_version', { simple: true })).toBe(7);
    check.close();

    // A server refuses to start against it too, whatever its storeMigration.
    for (const storeMigration of ['auto', 'check']) {
      const server = await gatehouse([
        'authorization-server',
        '--config',
        await asConfig(`sqlite:${db}`, { storeMigration }),
      ]).done;
      expect(server).toMatchObject({
        code: 1,
        stderr:
          'gatehouse authorization-server: cannot start: store schema version 7 is newer than this Gatehouse knows (1); upgrade Gatehouse',
      });
    }
  });

  it('lets a server in check mode start only once the store is migrated', async () => {
    const db = join(folder, `${runScopedName('check_')}.db`);
    const config = await asConfig(`sqlite:${db}`, { storeMigration: 'check' });
    const refused = await gatehouse(['authorization-server', '--config', config]).done;
    expect(refused).toMatchObject({
      code: 1,
      stderr:
        'gatehouse authorization-server: cannot start: store schema version 0 is older than this Gatehouse needs (1); run gatehouse store migrate',
    });
    expect((await gatehouse(['store', 'migrate', '--config', config]).done).code).toBe(0);
    const server = gatehouse(['authorization-server', '--config', config]);
    await expect
      .poll(() => server.out.some((line) => line.startsWith('Gatehouse authorization server')), { timeout: 15_000 })
      .toBe(true);
    server.stop();
    expect((await server.done).code).toBe(0);
  });

  it('refuses bad flags and a bad config in one line, exit 2', async () => {
    await expect(gatehouse(['store', 'migrate']).done).resolves.toMatchObject({
      code: 2,
      stderr: 'gatehouse store migrate: give exactly one of --config FILE or --store URL',
    });
    const bad = join(folder, 'bad.json');
    writeFileSync(bad, JSON.stringify({ store: 'mysql://nope' }));
    const refused = await gatehouse(['store', 'migrate', '--config', bad]).done;
    expect(refused.code).toBe(2);
    expect(refused.stderr.split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('store');
  });

  it.skipIf(!services)(
    'migrates both sides of { durable, ephemeral }, and five runs at once migrate PostgreSQL once',
    async () => {
      const schema = runScopedName('gh_migrate_');
      schemas.push(schema);
      const prefix = `${runScopedName('gh-migrate-')}:`;
      prefixes.push(prefix);
      const durable = `${postgresUrl}${postgresUrl.includes('?') ? '&' : '?'}schema=${schema}`;
      const ephemeral = `${redisUrl}${redisUrl.includes('?') ? '&' : '?'}prefix=${encodeURIComponent(prefix)}`;
      const config = await asConfig({ durable, ephemeral });
      const runs = await Promise.all(
        Array.from({ length: 5 }, () => gatehouse(['store', 'migrate', '--config', config]).done),
      );
      for (const run of runs) expect(run.code).toBe(0);
      const lines = runs.flatMap((run) => run.stdout.split('\n'));
      expect(lines.filter((line) => line === 'postgres store schema migrated from version 0 to 1')).toHaveLength(1);
      expect(lines.filter((line) => line === 'postgres store schema at version 1, up to date')).toHaveLength(4);
      expect(lines.filter((line) => line.startsWith('redis store schema'))).toHaveLength(5);
      const again = await gatehouse(['store', 'migrate', '--config', config]).done;
      expect(again).toMatchObject({
        code: 0,
        stdout: 'postgres store schema at version 1, up to date\nredis store schema at version 1, up to date',
      });
    },
  );
});
