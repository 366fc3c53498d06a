import { postgresUrl, requireService, runScopedName, TcpProxy } from '@gatehouse/test-kit';
import pg from 'pg';
import { openPostgresStore, openStore } from '../src/index.js';
import { describeStore } from './conformance.js';

const schema = runScopedName('gh_test_');
const target = new URL(postgresUrl);
// A proxy the outage tests can cut, in front of the real server.
const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
const proxyStarted = proxy.start();

describeStore(
  'postgres',
  (await requireService('PostgreSQL', postgresUrl))
    ? {
        open: () => openStore(`${postgresUrl}${postgresUrl.includes('?') ? '&' : '?'}schema=${schema}`),
        persistent: true,
        openUnreachable: () =>
          openPostgresStore('postgres://postgres@127.0.0.1:1/test', { schema, connectTimeoutMs: 1_000 }),
        outage: {
          openBehindOutage: async () => {
            await proxyStarted;
            const behindProxy = new URL(postgresUrl);
            behindProxy.hostname = '127.0.0.1';
            behindProxy.port = String(proxy.port);
            return openPostgresStore(behindProxy.toString(), { schema, connectTimeoutMs: 800, queryTimeoutMs: 800 });
          },
          begin: (mode) => proxy.setMode(mode),
          restore: () => proxy.setMode('forward'),
          freeze: () => proxy.freeze(),
          thaw: () => proxy.thaw(),
        },
        cleanup: async () => {
          await proxy.stop();
          const client = new pg.Client({ connectionString: postgresUrl });
          await client.connect();
          await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await client.end();
        },
      }
    : undefined,
);
