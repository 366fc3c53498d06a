// Store benchmark: get, put and take operations per second for each backend on loopback.
// Each operation runs for a fixed time with a fixed number of calls in flight; writes
// bench/results/store.md. Usage: npm run bench -- store
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@gatehouse/store';
import { machineLine } from '../lib/machine.js';

const secondsPerOperation = Number(process.env.BENCH_SECONDS ?? 3);
const inFlight = 32;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const postgresUrl = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const runId = `${process.pid}_${randomBytes(3).toString('hex')}`;
const folder = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));

// A value shaped like a BFF session: a few hundred bytes of JSON.
const session = {
  sub: 'user-0123456789',
  sid: randomBytes(32).toString('base64url'),
  accessToken: randomBytes(300).toString('base64url'),
  refreshToken: randomBytes(48).toString('base64url'),
  expiresAt: Date.now() + 3_600_000,
};

const backends = [
  { name: 'memory', url: 'memory' },
  { name: 'sqlite', url: `sqlite:${join(folder, 'bench.db')}` },
  { name: 'redis', url: redisUrl, options: { keyPrefix: `gatehouse-bench-${runId}:` } },
  { name: 'postgres', url: postgresUrl, options: { schema: `gh_bench_${runId}` } },
];

/**
 * Runs `operation(i)` with `inFlight` calls outstanding until the time limit (or `maxOps` calls);
 * returns ops/s and p99.
 */
async function measure(operation, maxOps = Number.POSITIVE_INFINITY) {
  const latencies = [];
  const deadline = performance.now() + secondsPerOperation * 1000;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline && next < maxOps) {
        const i = next++;
        const t = performance.now();
        await operation(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    opsPerSecond: Math.round(latencies.length / elapsed),
    p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    count: latencies.length,
  };
}

const rows = [];
for (const backend of backends) {
  let store;
  try {
    store = await openStore(backend.url, { ...backend.options, sweepIntervalMs: 0 });
  } catch (error) {
    rows.push(`| ${backend.name} | unavailable: ${error.message} | | |`);
    continue;
  }
  const ns = 'bench';
  const put = await measure((i) => store.put(ns, `s${i}`, session, { ttlSeconds: 600, indexes: [`user:${i % 100}`] }));
  const written = put.count;
  const get = await measure((i) => store.get(ns, `s${i % written}`));
  // Take consumes entries: stop when every written entry has been taken, so each take is a hit.
  const take = await measure(async (i) => {
    if ((await store.take(ns, `s${i}`)) === undefined) throw new Error(`take s${i} found nothing`);
  }, written);
  rows.push(
    `| ${backend.name} | ${get.opsPerSecond} (${get.p99Ms.toFixed(2)}) | ${put.opsPerSecond} (${put.p99Ms.toFixed(2)}) | ${take.opsPerSecond} (${take.p99Ms.toFixed(2)}) |`,
  );
  console.log(rows.at(-1));
  if (backend.name === 'postgres') {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "gh_bench_${runId}" CASCADE`);
    await client.end();
  }
  await store.close();
}
rmSync(folder, { recursive: true, force: true });

const report = `# Store benchmark

${machineLine()}

Operations per second (and p99 latency in ms) with ${inFlight} calls in flight, ${secondsPerOperation} s per
operation, one client process, servers on loopback. The value is a ~700-byte session-like JSON object;
\`put\` carries a TTL and one index key. \`take\` is the atomic read-and-delete used for single-use codes.

| backend | get | put | take |
| --- | --- | --- | --- |
${rows.join('\n')}

Command: \`npm run bench -- store\` (set \`BENCH_SECONDS\` to change the time per operation).
`;
writeFileSync(new URL('../results/store.md', import.meta.url), report);
console.log('wrote bench/results/store.md');
