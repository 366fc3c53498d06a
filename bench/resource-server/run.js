// Resource-server benchmark: requests per second of a protected route (JWT, cached JWKS) against the
// same route unprotected (the ceiling) and against express-oauth2-jwt-bearer protecting the same
// route. Servers run in a child process (servers.js); autocannon runs here. Writes
// bench/results/resource-server.md. Usage: npm run bench -- resource-server
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { measureHttp } from '../lib/load.js';
import { machineLine } from '../lib/machine.js';

const durationSeconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = 50;

const child = fork(new URL('./servers.js', import.meta.url), { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
const { token, body, targets } = await new Promise((resolve, reject) => {
  child.once('message', resolve);
  child.once('exit', (code) => reject(new Error(`servers exited with ${code} before they were ready`)));
});

const results = [];
for (const target of targets) {
  const headers = target.auth ? { authorization: `Bearer ${token}` } : {};
  const check = await fetch(target.url, { headers });
  const text = await check.text();
  if (check.status !== 200 || text !== body)
    throw new Error(`${target.name} answered ${check.status}: ${text.slice(0, 120)}`);
  if (target.auth && (await fetch(target.url)).status !== 401)
    throw new Error(`${target.name} accepted a request without a token`);
  await measureHttp({ url: target.url, headers, connections, durationSeconds: 1 }); // warm-up
  const result = await measureHttp({ url: target.url, headers, connections, durationSeconds });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${target.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  results.push({ ...target, ...result });
  console.log(`${target.name}: ${result.requestsPerSecond} req/s, p99 ${result.p99Ms} ms`);
}

const [ceiling, ours, oursExpress, peer, oursUncached] = results;
const ratio = (a, b) => (a.requestsPerSecond / b.requestsPerSecond).toFixed(2);
const report = `# Resource-server benchmark

${machineLine()}

\`GET /weatherforecast\` returning a small JSON body, ${connections} connections, ${durationSeconds} s per target after a
1 s warm-up; autocannon in one process, every server in one other process (\`servers.js\`). The
protected routes verify an ES256 JWT access token (RFC 9068) against a cached JWKS and require the
\`api\` scope. The same token is sent on every call, so by default the core's verified-token cache
answers after the first signature check (scopes and expiry are still checked on every call); the last
row turns that cache off, so every call verifies the ES256 signature. On a shared 2-core machine
figures move ±25 % between runs; compare the ratios.

| target | req/s | p50 ms | p99 ms |
| --- | --- | --- | --- |
${results.map((r) => `| ${r.name} | ${r.requestsPerSecond} | ${r.p50Ms} | ${r.p99Ms} |`).join('\n')}

| ratio | value | goal |
| --- | --- | --- |
| Fastify + ours / unprotected ceiling | ${ratio(ours, ceiling)}× | ≥ 0.9× |
| Fastify + ours / Express + express-oauth2-jwt-bearer | ${ratio(ours, peer)}× | ≥ 1.3× |
| Express + ours / Express + express-oauth2-jwt-bearer (same server, middleware only) | ${ratio(oursExpress, peer)}× | (fairness) |
| Fastify + ours, cache off / unprotected ceiling | ${ratio(oursUncached, ceiling)}× | (worst case: a new token every call) |
| Fastify + ours, cache off / Express + express-oauth2-jwt-bearer | ${ratio(oursUncached, peer)}× | (worst case) |

Command: \`npm run bench -- resource-server\` (\`BENCH_SECONDS\` sets the time per target).
`;
writeFileSync(new URL('../results/resource-server.md', import.meta.url), report);
console.log('wrote bench/results/resource-server.md');
child.disconnect();
child.kill();
process.exit(0);
