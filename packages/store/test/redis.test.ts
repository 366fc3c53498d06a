import { redisUrl, requireService, runScopedName, TcpProxy } from '@gatehouse/test-kit';
import { Redis } from 'ioredis';
import { openRedisStore, openStore } from '../src/index.js';
import { describeStore } from './conformance.js';

const keyPrefix = `${runScopedName('gatehouse-test-')}:`;
const target = new URL(redisUrl);
// A proxy the outage tests can cut, in front of the real server.
const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
const proxyStarted = proxy.start();

describeStore(
  'redis',
  (await requireService('Redis', redisUrl))
    ? {
        open: () => openStore(redisUrl, { keyPrefix }),
        persistent: true,
        openUnreachable: () => openRedisStore('redis://127.0.0.1:1', { keyPrefix, connectTimeoutMs: 1_000 }),
        outage: {
          openBehindOutage: async () => {
            await proxyStarted;
            return openRedisStore(`redis://127.0.0.1:${proxy.port}`, {
              keyPrefix,
              commandTimeoutMs: 800,
              connectTimeoutMs: 800,
            });
          },
          begin: (mode) => proxy.setMode(mode),
          restore: () => proxy.setMode('forward'),
          freeze: () => proxy.freeze(),
          thaw: () => proxy.thaw(),
        },
        cleanup: async () => {
          await proxy.stop();
          const client = new Redis(redisUrl);
          let cursor = '0';
          do {
            const [next, keys] = await client.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
            cursor = next;
            if (keys.length > 0) await client.del(...keys);
          } while (cursor !== '0');
          await client.quit();
        },
      }
    : undefined,
);
