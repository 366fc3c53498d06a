// Resource-server benchmark: requests per second of a protected route (JWT, cached JWKS) against the
// same route unprotected (the ceiling) and against express-oauth2-jwt-bearer protecting the same
// route. Servers run in a child process (servers.js), pinned away from autocannon where the machine
// allows (../lib/placement.js); the targets run in interleaved rounds with a median and spread each
// (../lib/rounds.js). Writes bench/results/resource-server.md. Usage: npm run bench -- resource-server
import { writeFileSync } from 'node:fs';
import { formatRatio, goal, ratioByRound } from '../lib/goals.js';
import { measureHttp } from '../lib/load.js';
import { loadLine, machineLine } from '../lib/machine.js';
import { firstMessage, placeLoadGenerator, startServerProcess } from '../lib/placement.js';
import { roundSettings, runRounds, spreadPercent, withSpread } from '../lib/rounds.js';

const { rounds, durationSeconds, warmUpSeconds } = roundSettings({ rounds: 3, durationSeconds: 3 });
const connections = 50;

const placement = placeLoadGenerator();
const child = startServerProcess(new URL('./servers.js', import.meta.url));
const { token, body, targets } = await firstMessage(child, 'servers');
process.on('uncaughtException', (error) => {
  console.error(error);
  child.kill();
  process.exit(1);
});

for (const target of targets) {
  target.headers = target.auth ? { authorization: `Bearer ${token}` } : {};
  const check = await fetch(target.url, { headers: target.headers });
  const text = await check.text();
  if (check.status !== 200 || text !== body)
    throw new Error(`${target.name} answered ${check.status}: ${text.slice(0, 120)}`);
  if (target.auth && (await fetch(target.url)).status !== 401)
    throw new Error(`${target.name} accepted a request without a token`);
}
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
child.disconnect();
child.kill();

const [ceiling, ours, oursExpress, peer, oursUncached] = summaries;
const ratio = (a, b) => formatRatio(ratioByRound(a, b));
const goals = [
  goal('Fastify + ours / unprotected ceiling', ratioByRound(ours, ceiling), 0.9),
  goal('Fastify + ours / Express + express-oauth2-jwt-bearer', ratioByRound(ours, peer), 1.3),
];
const report = `# Resource-server benchmark

${machineLine()}
${load}

\`GET /weatherforecast\` returning a small JSON body, ${connections} connections; ${rounds} rounds of ${durationSeconds} s per target
with the targets interleaved, after a ${warmUpSeconds} s warm-up each: the median per target with its range
across rounds, and each ratio as the median of the per-round ratios with its range. Autocannon in
one process, every server in one other process (\`servers.js\`); ${placement.description}. The
protected routes verify an ES256 JWT access token (RFC 9068) against a cached JWKS and require the
\`api\` scope. The same token is sent on every call, so by default the core's verified-token cache
answers after the first signature check (scopes and expiry are still checked on every call); the last
row turns that cache off, so every call verifies the ES256 signature. On this shared 2-core machine
(other work running; see the load above) absolute figures move a lot between runs; compare the
ratios within one run.

| target | req/s, median (min–max) | spread | p50 ms | p99 ms |
| --- | --- | --- | --- | --- |
${summaries.map(({ target, stats }) => `| ${target.name} | ${withSpread(stats.requestsPerSecond)} | ${spreadPercent(stats.requestsPerSecond)} | ${stats.p50Ms.median} | ${stats.p99Ms.median} |`).join('\n')}

| ratio | value | goal |
| --- | --- | --- |
| Fastify + ours / unprotected ceiling | ${ratio(ours, ceiling)} | ≥ 0.9× |
| Fastify + ours / Express + express-oauth2-jwt-bearer | ${ratio(ours, peer)} | ≥ 1.3× |
| Express + ours / Express + express-oauth2-jwt-bearer (same server, middleware only) | ${ratio(oursExpress, peer)} | (fairness) |
| Fastify + ours, cache off / unprotected ceiling | ${ratio(oursUncached, ceiling)} | (worst case: a new token every call) |
| Fastify + ours, cache off / Express + express-oauth2-jwt-bearer | ${ratio(oursUncached, peer)} | (worst case) |

Goals:
${goals.map((g) => `- ${g.line}`).join('\n')}

Command: \`npm run bench -- resource-server\` (\`BENCH_ROUNDS\`, \`BENCH_SECONDS\` and \`BENCH_WARMUP_SECONDS\` set the
rounds and the time per run).
`;
writeFileSync(new URL('../results/resource-server.md', import.meta.url), report);
console.log('wrote bench/results/resource-server.md');
process.exit(0);
