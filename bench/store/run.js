// Store benchmark: get, put and take operations per second for each backend on loopback.
// Each operation runs for a fixed time with a fixed number of calls in flight; writes
// bench/results/store.md. Usage: npm run bench -- store
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@gatehouse/store';
import { loadLine, machineLine } from '../lib/machine.js';
import { placeLoadGenerator } from '../lib/placement.js';
import { roundSettings, runRounds, withSpread } from '../lib/rounds.js';
import { removeStores } from '../lib/stores.js';

const { rounds, durationSeconds, warmUpSeconds } = roundSettings({ rounds: 3, durationSeconds: 2 });
const placement = placeLoadGenerator();
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
async function measure(operation, seconds, maxOps = Number.POSITIVE_INFINITY) {
  const latencies = [];
  const deadline = performance.now() + seconds * 1000;
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

const opened = [];
const rows = [];
for (const backend of backends) {
  try {
    opened.push({ ...backend, store: await openStore(backend.url, { ...backend.options, sweepIntervalMs: 0 }) });
  } catch (error) {
    rows.push(`| ${backend.name} | unavailable: ${error.message} | | |`);
  }
}
/** One round on one backend: put, get and take of the same fresh entries; ops/s and p99 each. */
async function measureBackend({ store }, seconds, round) {
  const ns = `bench${round}`;
  const put = await measure(
    (i) => store.put(ns, `s${i}`, session, { ttlSeconds: 600, indexes: [`user:${i % 100}`] }),
    seconds,
  );
  const written = put.count;
  const get = await measure((i) => store.get(ns, `s${i % written}`), seconds);
  // Take consumes entries: stop when every written entry has been taken, so each take is a hit.
  const take = await measure(
    async (i) => {
      if ((await store.take(ns, `s${i}`)) === undefined) throw new Error(`take s${i} found nothing`);
    },
    seconds,
    written,
  );
  return {
    get: get.opsPerSecond,
    getP99: get.p99Ms,
    put: put.opsPerSecond,
    putP99: put.p99Ms,
    take: take.opsPerSecond,
    takeP99: take.p99Ms,
  };
}
let round = 0;
const summaries = await runRounds(opened, {
  rounds,
  durationSeconds,
  warmUpSeconds,
  measure: (backend, seconds) => measureBackend(backend, seconds, round++),
  name: (backend) => `${backend.name} get`,
});
for (const { target, stats } of summaries) {
  const cell = (op) => `${withSpread(stats[op])} (${stats[`${op}P99`].median.toFixed(2)})`;
  rows.push(`| ${target.name} | ${cell('get')} | ${cell('put')} | ${cell('take')} |`);
  console.log(rows.at(-1));
}
for (const { store } of opened) await store.close();
await removeStores({ redisPrefixes: [`gatehouse-bench-${runId}:`], schemas: [`gh_bench_${runId}`] });
rmSync(folder, { recursive: true, force: true });
const load = loadLine();

const report = `# Store benchmark

${machineLine()}
${load}

Operations per second — the median of ${rounds} rounds with its range (the backends interleaved in every
round, after a ${warmUpSeconds} s warm-up each) — and the median p99 latency in ms, with ${inFlight} calls in flight,
${durationSeconds} s per operation, one client process, servers on loopback; ${placement.description}. The value is a ~700-byte session-like JSON object;
\`put\` carries a TTL and one index key. \`take\` is the atomic read-and-delete used for single-use codes.

| backend | get | put | take |
| --- | --- | --- | --- |
${rows.join('\n')}

On this shared 2-core machine (other work running; see the load above) absolute figures move a lot
between runs.

Command: \`npm run bench -- store\` (\`BENCH_ROUNDS\`, \`BENCH_SECONDS\` and \`BENCH_WARMUP_SECONDS\` set the rounds
and the time per operation).
`;
writeFileSync(new URL('../results/store.md', import.meta.url), report);
console.log('wrote bench/results/store.md');
