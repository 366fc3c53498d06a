// BFF benchmark: a proxied GET of a small JSON body through the BFF (sessions in Redis), against the
// upstream directly, a bare Fastify + @fastify/reply-from proxy with no auth (the ceiling), and the
// usual Node recipe — Express + express-openid-connect + http-proxy-middleware. The servers run in a
// child process (servers.js); autocannon runs here. Writes bench/results/bff.md.
// Usage: npm run bench -- bff
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { measureHttp } from '../lib/load.js';
import { machineLine } from '../lib/machine.js';

const durationSeconds = Number(process.env.BENCH_SECONDS ?? 3);
const connections = 50;

const child = fork(new URL('./servers.js', import.meta.url), { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
const { body, targets } = await new Promise((resolve, reject) => {
  child.once('message', resolve);
  child.once('exit', (code) => reject(new Error(`servers exited with ${code} before they were ready`)));
});

// Rounds of short runs, targets interleaved, median per target: on a shared machine the load drifts
// over a minute, and one long run per target would hand the drift to whichever target ran then.
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const runs = targets.map(() => []);
for (const target of targets) {
  // Warm up (JIT, connection pools) before any measured run, so order in the list does not matter.
  await measureHttp({ url: target.url, headers: target.headers, connections, durationSeconds: 1 });
}
for (let round = 0; round < rounds; round += 1) {
  for (const [i, target] of targets.entries()) {
    const result = await measureHttp({ url: target.url, headers: target.headers, connections, durationSeconds });
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`${target.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    runs[i].push(result);
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results = targets.map((target, i) => {
  const result = {
    ...target,
    requestsPerSecond: median(runs[i].map((run) => run.requestsPerSecond)),
    p50Ms: median(runs[i].map((run) => run.p50Ms)),
    p99Ms: median(runs[i].map((run) => run.p99Ms)),
  };
  console.log(`${target.name}: ${result.requestsPerSecond} req/s, p99 ${result.p99Ms} ms (median of ${rounds})`);
  return result;
});

const [direct, ceilingResult, ceilingWithToken, ours, cached, , recipe] = results;
const ratio = (a, b) => (a.requestsPerSecond / b.requestsPerSecond).toFixed(2);
const report = `# BFF benchmark

${machineLine()}

A proxied \`GET\` of a ${Buffer.byteLength(body)}-byte JSON body, ${connections} connections; ${rounds} rounds of
${durationSeconds} s per target with the targets interleaved, median per target, after a 1 s warm-up each;
autocannon on loopback in one process, every target in one other process (\`servers.js\`). On a shared 2-core machine figures move ±25 % between runs; compare the ratios.
The BFF checks the session (in Redis; by default each instance reuses a session it read until a
change notice from any instance drops it), the CSRF header, and attaches the session's access
token; the Express recipe keeps its session in an encrypted cookie (its default) and attaches the
token too.

| target | req/s | p50 ms | p99 ms |
| --- | --- | --- | --- |
${results.map((r) => `| ${r.name} | ${r.requestsPerSecond} | ${r.p50Ms} | ${r.p99Ms} |`).join('\n')}

| ratio | value | goal |
| --- | --- | --- |
| Gatehouse BFF / ceiling | ${ratio(ours, ceilingResult)}× | ≥ 0.85× |
| Gatehouse BFF / Express recipe | ${ratio(ours, recipe)}× | ≥ 2× |
| Gatehouse BFF / ceiling with a static bearer header | ${ratio(ours, ceilingWithToken)}× | (context: the BFF's own overhead) |
| Gatehouse BFF, every call reading Redis / ceiling | ${ratio(cached, ceilingResult)}× | (context) |
| p99 added over the ceiling | ${(ours.p99Ms - ceilingResult.p99Ms).toFixed(1)} ms | ≤ 2 ms |
| ceiling / upstream directly | ${ratio(ceilingResult, direct)}× | (context) |

Command: \`npm run bench -- bff\` (\`BENCH_SECONDS\` sets the time per target; needs Redis at \`REDIS_URL\`).
`;
writeFileSync(new URL('../results/bff.md', import.meta.url), report);
console.log('wrote bench/results/bff.md');

child.disconnect();
child.kill();
process.exit(0);
