import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createAuthorizationServer,
  ephemeralNamespaces,
  loadAuthorizationServerConfig,
} from '@gatehouse/authorization-server';
import { openStore } from '@gatehouse/store';
import { freePort, postgresUrl, redisUrl, requireService, runScopedName, TcpProxy } from '@gatehouse/test-kit';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type Io, runGatehouse } from '../src/index.js';

// `gatehouse keys rotate` announces the new keys through the store's notifications, so every
// running instance publishes them at once — not at its next poll, a minute later. With a short
// activation delay, an instance that had not reloaded would otherwise sign with a key another
// instance's JWKS does not yet publish.

const services = (await requireService('PostgreSQL', postgresUrl)) && (await requireService('Redis', redisUrl));
const folder = mkdtempSync(join(tmpdir(), 'gatehouse-keys-announced-'));
const schemas: string[] = [];
const prefixes: string[] = [];

function postgresStore(): string {
  const schema = runScopedName('gh_keys_');
  schemas.push(schema);
  return `${postgresUrl}${postgresUrl.includes('?') ? '&' : '?'}schema=${schema}`;
}

function redisStore(base = redisUrl): string {
  const prefix = `${runScopedName('gh-keys-')}:`;
  prefixes.push(prefix);
  return `${base}${base.includes('?') ? '&' : '?'}prefix=${encodeURIComponent(prefix)}`;
}

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

/** Runs a command in-process; `stop` ends a server command. */
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

async function writeConfig(store: unknown) {
  const port = await freePort();
  const path = join(folder, `as-${port}.json`);
  const config = {
    issuer: `http://127.0.0.1:${port}`,
    port,
    store,
    cookieSecrets: ['keys-announced-cookie-secret-0123456789ab'],
  };
  writeFileSync(path, JSON.stringify(config));
  return { path, port, issuer: config.issuer, config };
}

/** Starts `gatehouse authorization-server` on the config and waits for it to listen. */
async function startInstance(path: string) {
  const server = gatehouse(['authorization-server', '--config', path]);
  await expect
    .poll(() => server.out.some((line) => line.startsWith('Gatehouse authorization server')), { timeout: 15_000 })
    .toBe(true);
  return server;
}

async function publishedKids(issuer: string): Promise<string[]> {
  const jwks = (await (await fetch(`${issuer}/jwks`)).json()) as { keys: { kid: string }[] };
  return jwks.keys.map((key) => key.kid);
}

async function rotateWithCli(path: string): Promise<string[]> {
  const rotated = await gatehouse(['keys', 'rotate', '--config', path]).done;
  expect(rotated.code).toBe(0);
  const kids = /^added keys (\S+), (\S+);/.exec(rotated.stdout);
  expect(kids).not.toBeNull();
  return [kids?.[1] as string, kids?.[2] as string];
}

/** Milliseconds until `issuer`'s JWKS publishes every one of `kids` (polled every 25 ms). */
async function timeUntilPublished(issuer: string, kids: string[], limitMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < limitMs) {
    const published = await publishedKids(issuer);
    if (kids.every((kid) => published.includes(kid))) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return Number.POSITIVE_INFINITY;
}

describe.skipIf(!services)('gatehouse keys rotate, seen by every running instance at once', () => {
  it.each([
    ['PostgreSQL (LISTEN/NOTIFY)', () => postgresStore()],
    ['PostgreSQL + Redis (pub/sub)', () => ({ durable: postgresStore(), ephemeral: redisStore() })],
  ])('on %s: the second instance’s JWKS publishes the new keys within a second', async (_name, store) => {
    const location = store();
    const first = await writeConfig(location);
    const second = await writeConfig(location);
    const a = await startInstance(first.path);
    const b = await startInstance(second.path);
    try {
      const before = await publishedKids(second.issuer);
      expect(before).toHaveLength(2);
      const kids = await rotateWithCli(first.path);
      for (const kid of kids) expect(before).not.toContain(kid);
      // The poll would take up to 60 s; the announcement takes milliseconds.
      expect(await timeUntilPublished(second.issuer, kids, 1_500)).toBeLessThan(1_000);
      expect(await timeUntilPublished(first.issuer, kids, 1_500)).toBeLessThan(1_000);
    } finally {
      a.stop();
      b.stop();
      expect((await a.done).code).toBe(0);
      expect((await b.done).code).toBe(0);
    }
  });

  it('reloads when its notification connection comes back: an announcement lost in an outage is not missed', async () => {
    const durable = postgresStore();
    const ephemeral = redisStore();
    const first = await writeConfig({ durable, ephemeral });
    const a = await startInstance(first.path);
    // The second instance reaches Redis through a proxy the test can cut.
    const target = new URL(redisUrl);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    await proxy.start();
    const proxied = new URL(ephemeral);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    const secondPort = await freePort();
    const secondConfig = loadAuthorizationServerConfig({
      ...first.config,
      issuer: `http://127.0.0.1:${secondPort}`,
      port: secondPort,
      store: { durable, ephemeral: proxied.toString() },
    });
    const secondStore = await openStore(secondConfig.store, { ephemeralNamespaces, connectTimeoutMs: 500 });
    const b = await createAuthorizationServer(secondConfig, { store: secondStore });
    await b.listen({ port: secondPort, host: '127.0.0.1' });
    try {
      await proxy.setMode('refuse');
      await expect.poll(() => secondStore.notifications?.connected, { timeout: 2_000 }).toBe(false);
      const kids = await rotateWithCli(first.path); // announced while the second instance cannot hear
      await proxy.setMode('forward');
      await expect.poll(() => secondStore.notifications?.connected, { timeout: 5_000 }).toBe(true);
      // Its reads may come back a moment after its notifications do; still far from the 60 s poll.
      expect(await timeUntilPublished(secondConfig.issuer, kids, 5_000)).toBeLessThan(3_000);
    } finally {
      await b.close();
      await secondStore.close();
      await proxy.stop();
      a.stop();
      expect((await a.done).code).toBe(0);
    }
  });
});
