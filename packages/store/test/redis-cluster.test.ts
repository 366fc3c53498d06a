import { runScopedName } from '@gatehouse/test-kit';
import { openRedisStore } from '../src/index.js';
import { describeStore } from './conformance.js';
import { hasRedisBinaries, type LocalRedisCluster, startRedisCluster } from './redis-cluster.js';

// The same suite on a real three-master Redis Cluster started for this run, proving that every
// operation stays within one hash slot. Needs the redis-server and redis-cli binaries.
const available = hasRedisBinaries();
if (!available) console.warn('SKIPPED: the Redis Cluster store suite: redis-server or redis-cli is not installed');
const keyPrefix = `${runScopedName('gatehouse-test-')}:`;
let cluster: Promise<LocalRedisCluster> | undefined;

describeStore(
  'redis cluster',
  available
    ? {
        open: async () => {
          cluster ??= startRedisCluster();
          return openRedisStore((await cluster).seedUrl, { keyPrefix, cluster: true });
        },
        persistent: true,
        cleanup: async () => (await cluster)?.stop(),
      }
    : undefined,
);
