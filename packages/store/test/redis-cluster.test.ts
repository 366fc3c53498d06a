import { openRedisStore } from '../src/index.js';
import { describeStore } from './conformance.js';
import { hasRedisBinaries, startRedisCluster } from './redis-cluster.js';
import { runScopedName } from './test-services.js';

// The same suite on a real three-master Redis Cluster started for this run, proving that every
// operation stays within one hash slot. Needs the redis-server and redis-cli binaries.
const available = hasRedisBinaries();
if (!available) console.warn('SKIPPED: the Redis Cluster store suite: redis-server or redis-cli is not installed');

describeStore(
  'redis cluster',
  async () => {
    const cluster = await startRedisCluster();
    const keyPrefix = `${runScopedName('gatehouse-test-')}:`;
    return {
      open: () => openRedisStore(cluster.seedUrl, { keyPrefix, cluster: true }),
      persistent: true,
      cleanup: () => cluster.stop(),
    };
  },
  { available },
);
