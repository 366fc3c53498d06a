// BFF benchmark: a proxied GET of a small JSON body through the BFF (sessions in Redis), against the
// upstream directly, a bare Fastify + @fastify/reply-from proxy with no auth (the ceiling), and the
// usual Node recipe — Express + express-openid-connect + http-proxy-middleware. The servers run in a
// child process (servers.js), pinned away from autocannon where the machine allows
// (../lib/placement.js); the targets run in interleaved rounds with a median and spread each
// (../lib/rounds.js). Writes bench/results/bff.md.
// Usage: npm run bench -- bff
import { writeFileSync } from 'node:fs';
import { formatRatio, goal, ratioByRound } from '../lib/goals.js';
import { measureHttp } from '../lib/load.js';
import { loadLine, machineLine } from '../lib/machine.js';
import { firstMessage, placeLoadGenerator, startServerProcess } from '../lib/placement.js';
import { roundSettings, runRounds, spreadPercent, withSpread } from '../lib/rounds.js';
import { newRunId, removeOrphans, removeStores, storeNames } from '../lib/stores.js';

const { rounds, durationSeconds, warmUpSeconds } = roundSettings({ rounds: 5, durationSeconds: 3 });
const connections = 50;

const placement = placeLoadGenerator();
await removeOrphans();
const runId = newRunId();
const { redisPrefix } = storeNames(runId, 'bff');
const child = startServerProcess(new URL('./servers.js', import.meta.url), [redisPrefix]);
/** Stops the servers, then removes the sessions they stored. */
async function stopServers() {
  if (child.connected) child.disconnect();
  child.kill();
  if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
  await removeStores({ redisPrefixes: [redisPrefix] });
}
process.on('uncaughtException', async (error) => {
  console.error(error);
  await stopServers();
  process.exit(1);
});
const { body, targets } = await firstMessage(child, 'servers');

const summaries = await runRounds(targets, {
  rounds,
  durationSeconds,
  warmUpSeconds,
  measure: (target, seconds) =>
    measureHttp({ url: target.url, headers: target.headers, connections, durationSeconds: seconds }),
  check: (target, result, label) => {
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`${target.name} (${label}): ${result.non2xx} non-2xx, ${result.errors} errors`);
  },
});
const load = loadLine();
await stopServers();
const results = summaries.map((summary) => ({
  ...summary,
  requestsPerSecond: summary.stats.requestsPerSecond.median,
  p50Ms: summary.stats.p50Ms.median,
  p99Ms: summary.stats.p99Ms.median,
}));

const [direct, ceilingResult, ceilingWithToken, ours, everyCall, , recipe] = results;
const ratio = (a, b) => formatRatio(ratioByRound(a, b));
const goals = [
  goal('BFF reading Redis on every call / bare proxy', ratioByRound(everyCall, ceilingResult), 0.7),
  goal('BFF with the shared session cache / bare proxy', ratioByRound(ours, ceilingResult), 0.85),
];
const report = `# BFF benchmark

${machineLine()}
${load}

A proxied \`GET\` of a ${Buffer.byteLength(body)}-byte JSON body, ${connections} connections; ${rounds} rounds of
${durationSeconds} s per target with the targets interleaved, after a ${warmUpSeconds} s warm-up each: the median per
target with its range across rounds, and each ratio as the median of the per-round ratios with its
range. Autocannon on loopback in one process, every target in one other process (\`servers.js\`);
${placement.description}. On this shared 2-core machine (other work running; see the load above)
absolute figures move a lot between runs; compare the ratios within one run.
The BFF checks the session (in Redis; by default, \`sharedSessionCacheMs\`, each instance reuses a session
it read until a change notice from any instance drops it; with \`sharedSessionCacheMs: 0\` and the
default \`sessionCacheMs: 0\` every call reads and decrypts the session from Redis), the CSRF header, and
attaches the session's access token; the Express recipe keeps its session in an encrypted cookie (its
default) and attaches the token too.

| target | req/s, median (min–max) | spread | p50 ms | p99 ms |
| --- | --- | --- | --- | --- |
${results.map((r) => `| ${r.target.name} | ${withSpread(r.stats.requestsPerSecond)} | ${spreadPercent(r.stats.requestsPerSecond)} | ${r.p50Ms} | ${r.p99Ms} |`).join('\n')}

| ratio (req/s) | value | goal |
| --- | --- | --- |
| Gatehouse BFF, every call reading Redis / ceiling (bare proxy) | ${ratio(everyCall, ceilingResult)} | ≥ 0.7× |
| Gatehouse BFF, shared session cache (default) / ceiling | ${ratio(ours, ceilingResult)} | ≥ 0.85× |
| Gatehouse BFF / Express recipe | ${ratio(ours, recipe)} | ≥ 2× |
| Gatehouse BFF / ceiling with a static bearer header | ${ratio(ours, ceilingWithToken)} | (context: the BFF's own overhead) |
| p99 added over the ceiling (medians) | ${(ours.p99Ms - ceilingResult.p99Ms).toFixed(1)} ms | ≤ 2 ms |
| ceiling / upstream directly | ${ratio(ceilingResult, direct)} | (context) |

Goals:
${goals.map((g) => `- ${g.line}`).join('\n')}

Command: \`npm run bench -- bff\` (\`BENCH_ROUNDS\`, \`BENCH_SECONDS\` and \`BENCH_WARMUP_SECONDS\` set the rounds and
the time per run; needs Redis at \`REDIS_URL\`; the run's sessions are removed afterwards).
`;
writeFileSync(new URL('../results/bff.md', import.meta.url), report);
console.log('wrote bench/results/bff.md');
process.exit(0);
