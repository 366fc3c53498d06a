import { postgresUrl, requireService, runScopedName, TcpProxy } from '@gatehouse/test-kit';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresStore, type Store } from '../src/index.js';

// LISTEN/NOTIFY carries the store's notifications between PostgreSQL-backed instances; a dropped
// listening connection is reported as an interruption (messages may have been lost), and delivery
// resumes by itself once the server is back.

const available = await requireService('PostgreSQL', postgresUrl);
const schema = runScopedName('gh_notify_');
const target = new URL(postgresUrl);
const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));

afterAll(async () => {
  await proxy.stop();
  if (!available) return;
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

describe.skipIf(!available)('postgres notifications', () => {
  it('reports an interruption when the listening connection drops, then delivers again after reconnecting', async () => {
    await proxy.start();
    const behindProxy = new URL(postgresUrl);
    behindProxy.hostname = '127.0.0.1';
    behindProxy.port = String(proxy.port);
    const listening: Store = await openPostgresStore(behindProxy.toString(), { schema, connectTimeoutMs: 800 });
    const publishing: Store = await openPostgresStore(postgresUrl, { schema });
    try {
      const received: string[] = [];
      let interruptions = 0;
      await listening.notifications?.subscribe(
        'keys',
        (message) => received.push(message),
        () => {
          interruptions += 1;
        },
      );
      const before = interruptions;
      await publishing.notifications?.publish('keys', 'one');
      await expect.poll(() => received, { timeout: 2_000 }).toEqual(['one']);

      await proxy.setMode('refuse');
      await expect.poll(() => listening.notifications?.connected, { timeout: 2_000 }).toBe(false);
      expect(interruptions).toBeGreaterThan(before);
      await publishing.notifications?.publish('keys', 'lost');

      await proxy.setMode('forward');
      await expect.poll(() => listening.notifications?.connected, { timeout: 5_000 }).toBe(true);
      await publishing.notifications?.publish('keys', 'two');
      await expect.poll(() => received, { timeout: 2_000 }).toEqual(['one', 'two']);
    } finally {
      await listening.close();
      await publishing.close();
    }
  });
});
