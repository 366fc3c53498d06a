// Authorization-server benchmark: the token endpoint (client_credentials, and refresh_token with
// rotation), discovery and the JWKS of the Gatehouse authorization server against oidc-provider
// configured the same way, in the same run — in memory, and on the production stores: Gatehouse on
// { durable: PostgreSQL, ephemeral: Redis } against oidc-provider on a Redis adapter
// (oidc-provider-redis-adapter.js). Each server runs in a child process of its own (servers.js),
// pinned away from autocannon where the machine allows (../lib/placement.js); the targets run in
// interleaved rounds with a median and spread each (../lib/rounds.js). Writes
// bench/results/authorization-server.md. Usage: npm run bench -- authorization-server
// (`node bench/authorization-server/run.js --only=oidc-provider` measures one server alone and
// writes nothing, for when the Gatehouse package is not built.)
import { readFileSync, writeFileSync } from 'node:fs';
import { formatRatio, goal, ratioByRound } from '../lib/goals.js';
import { measureHttp } from '../lib/load.js';
import { loadLine, machineLine } from '../lib/machine.js';
import { firstMessage, placeLoadGenerator, startServerProcess } from '../lib/placement.js';
import { roundSettings, runRounds, spreadPercent, withSpread } from '../lib/rounds.js';
import { countPostgresEntries, countRedisKeys, newRunId, removeOrphans, removeStores } from '../lib/stores.js';
import { basicAuth, discover, refreshTokens, signIn } from './login.js';

const { rounds, durationSeconds, warmUpSeconds } = roundSettings({ rounds: 3, durationSeconds: 3 });
const connections = 50;
const only = process.argv.find((argument) => argument.startsWith('--only='))?.slice('--only='.length);
const peerVersion = JSON.parse(
  readFileSync(new URL('../../node_modules/oidc-provider/package.json', import.meta.url), 'utf8'),
).version;

const endpoints = ['client_credentials', 'refresh_token', 'discovery', 'jwks'];
/** Each server and what it is measured on: the stores matter to the token endpoint only. */
const serverIds = {
  gatehouse: endpoints,
  'oidc-provider': endpoints,
  'gatehouse-pg-redis': ['client_credentials', 'refresh_token'],
  'oidc-provider-redis': ['client_credentials', 'refresh_token'],
};
const labels = {
  client_credentials: 'POST /token client_credentials',
  refresh_token: 'POST /token refresh_token (rotated)',
  discovery: 'GET /.well-known/openid-configuration',
  jwks: 'GET jwks_uri',
};

const placement = placeLoadGenerator();
await removeOrphans();
const runId = newRunId();
const children = [];
// A run that fails part-way still stops its servers and removes what they stored.
process.on('uncaughtException', async (error) => {
  console.error(error);
  await stopServers();
  process.exit(1);
});
/** Starts one server in a child process; resolves with what it reports once it listens. */
function startServer(id) {
  const child = startServerProcess(new URL('./servers.js', import.meta.url), [id, runId]);
  children.push(child);
  return firstMessage(child, id);
}
const ids = only ? [only] : Object.keys(serverIds);
const stores = { redisPrefixes: [], schemas: [] };
let started;
try {
  started = await Promise.all(ids.map(startServer));
} catch (error) {
  await stopServers();
  throw error;
}
const servers = started.map((message) => message.server);
for (const server of servers) {
  if (server.id.endsWith('-redis')) stores.redisPrefixes.push(server.redisPrefix);
  if (server.id === 'gatehouse-pg-redis') stores.schemas.push(server.schema);
}
const { client, user, resource } = started[0];

/** Everything that makes the figures untrustworthy; printed loudly and written at the top of the results. */
const problems = [];
function flag(message) {
  problems.push(message);
  console.error(`\n!!! ${message}\n`);
}

for (const server of servers) {
  server.discovery = await discover(server.issuer);
  server.signIn = {
    discovery: server.discovery,
    clientId: client.client_id,
    clientSecret: client.client_secret,
    redirectUri: client.redirect_uris[0],
    scope: client.scope,
    email: user.email,
    password: user.password,
    // oidc-provider drops offline_access unless consent is prompted for.
    authorizationParams: server.id.startsWith('oidc-provider') ? { prompt: 'consent' } : {},
  };
  server.checks = await check(server);
}

// Targets grouped by endpoint, so the two servers of a comparison run back to back in every round.
const targets = endpoints.flatMap((endpoint) =>
  servers.filter((server) => serverIds[server.id].includes(endpoint)).map((server) => targetFor(server, endpoint)),
);
const summaries = await runRounds(targets, {
  rounds,
  durationSeconds,
  warmUpSeconds,
  measure,
  check: (target, result, label) => {
    if (result.non2xx > 0 || result.errors > 0)
      flag(`${target.name} (${label}): ${result.non2xx} non-2xx, ${result.errors} errors${firstFailure(target)}`);
  },
});

// Store parity: a row on the production stores must have written there, or it measured memory.
const storeNotes = [];
for (const server of servers) {
  if (!server.id.endsWith('-redis')) continue;
  const redisKeys = await countRedisKeys(server.redisPrefix);
  const postgresRows =
    server.schema && server.id === 'gatehouse-pg-redis' ? await countPostgresEntries(server.schema) : 0;
  const where =
    server.id === 'gatehouse-pg-redis'
      ? `${redisKeys} Redis keys, ${postgresRows} PostgreSQL rows`
      : `${redisKeys} Redis keys`;
  storeNotes.push(`${server.name}: ${where} after the runs`);
  if (redisKeys === 0) flag(`${server.name}: nothing was written to Redis`);
  if (server.id === 'gatehouse-pg-redis' && postgresRows === 0)
    flag(`${server.name}: nothing was written to PostgreSQL`);
}
const load = loadLine();
await stopServers();

const table = `| target | req/s, median (min–max) | spread | p50 ms | p99 ms | non-2xx | errors |
| --- | --- | --- | --- | --- | --- | --- |
${summaries
  .map(
    ({ target, stats, runs }) =>
      `| ${target.name} | ${withSpread(stats.requestsPerSecond)} | ${spreadPercent(stats.requestsPerSecond)} | ${stats.p50Ms.median} | ${stats.p99Ms.median} | ${total(runs, 'non2xx')} | ${total(runs, 'errors')} |`,
  )
  .join('\n')}`;

if (servers.length < 2) {
  console.log(`\n${table}\n\n${servers.map((s) => `${s.name}: ${s.checks}`).join('\n')}`);
  console.log('one server only: bench/results/authorization-server.md left as it was');
  process.exit(problems.length > 0 ? 1 : 0);
}

const find = (id, endpoint) => summaries.find(({ target }) => target.server === id && target.endpoint === endpoint);
const compare = (oursId, peerId, endpoint) => {
  const ours = find(oursId, endpoint);
  const peer = find(peerId, endpoint);
  return { stat: ratioByRound(ours, peer), p99: `${ours.stats.p99Ms.median} / ${peer.stats.p99Ms.median}` };
};
const ratioRows = endpoints.map((endpoint) => {
  const { stat, p99 } = compare('gatehouse', 'oidc-provider', endpoint);
  return `| ${labels[endpoint]} | ${formatRatio(stat)} | ≥ 1.5× | ${p99} | ours ≤ peer |`;
});
const goals = [];
const storeRatioRows = ['client_credentials', 'refresh_token'].map((endpoint) => {
  const { stat, p99 } = compare('gatehouse-pg-redis', 'oidc-provider-redis', endpoint);
  goals.push(goal(`AS on PG+Redis / oidc-provider on Redis, ${endpoint}`, stat, 1.5));
  return `| ${labels[endpoint]} | ${formatRatio(stat)} | ≥ 1.5× | ${p99} | ours ≤ peer |`;
});
const costRows = ['client_credentials', 'refresh_token'].flatMap((endpoint) => [
  `| Gatehouse, ${labels[endpoint]} | ${formatRatio(ratioByRound(find('gatehouse-pg-redis', endpoint), find('gatehouse', endpoint)))} |`,
  `| oidc-provider, ${labels[endpoint]} | ${formatRatio(ratioByRound(find('oidc-provider-redis', endpoint), find('oidc-provider', endpoint)))} |`,
]);
const warning =
  problems.length === 0
    ? ''
    : `**INVALID RUN — these figures do not measure what they claim:**\n\n${problems.map((p) => `- ${p}`).join('\n')}\n\n`;
const report = `# Authorization-server benchmark

${machineLine()}
${load}

${warning}\`POST /token\` with \`grant_type=client_credentials\` (client_secret_basic, \`scope=api\`,
\`resource=${resource}\`) and with \`grant_type=refresh_token\`, \`GET /.well-known/openid-configuration\`
and \`GET\` of the \`jwks_uri\`; ${connections} connections. ${rounds} rounds of ${durationSeconds} s per target with the
targets interleaved (the two servers of a comparison back to back), after a ${warmUpSeconds} s warm-up each; the
median per target with its range across rounds, and each ratio as the median of the per-round ratios
with its range. Autocannon in one process, each server in a process of its own (\`servers.js\`);
${placement.description}.

Servers: Gatehouse and oidc-provider ${peerVersion} in memory; Gatehouse on \`{ durable: PostgreSQL,
ephemeral: Redis }\` (a schema and a key prefix of this run's own, dropped afterwards); oidc-provider on a
Redis adapter written for the bench to oidc-provider's adapter interface
(\`oidc-provider-redis-adapter.js\`: a hash per stored instance, a set per grant, one round trip per call
where Redis allows). All set up alike: one confidential client, resource indicators
with \`${resource}\` as the default resource, ES256 JWT access tokens (RFC 9068), RS256 ID tokens,
one ES256 and one RS256 key in the JWKS, and refresh tokens rotated on every use. Each refresh
connection follows its own chain — every request sends the refresh token the previous answer
returned — started by a scripted code flow with PKCE through the provider's own sign-in forms
(chains left unused by a run carry over; sign-ins top them up to ${connections} before each run). Any non-2xx
answer or failed request (a broken chain, say), a server answering unlike the others in the checks
below, or a store row that wrote nothing to its stores puts an INVALID RUN warning at the top of this
file and fails the run. On this shared 2-core machine (other work running; see the load above)
absolute figures move a lot between runs; compare the ratios within one run.

${table}

| Gatehouse / oidc-provider, in memory | req/s | goal | p99 ms, ours / peer | goal |
| --- | --- | --- | --- | --- |
${ratioRows.join('\n')}

| Gatehouse on PG+Redis / oidc-provider on Redis | req/s | goal | p99 ms, ours / peer | goal |
| --- | --- | --- | --- | --- |
${storeRatioRows.join('\n')}

| on the production stores / in memory (context: what the stores cost) | req/s |
| --- | --- |
${costRows.join('\n')}

Goals:
${goals.map((g) => `- ${g.line}`).join('\n')}

Checked before the runs:
${servers.map((s) => `- ${s.name}: ${s.checks}`).join('\n')}

Stores after the runs (then removed):
${storeNotes.map((note) => `- ${note}`).join('\n')}

Command: \`npm run bench -- authorization-server\` (\`BENCH_ROUNDS\`, \`BENCH_SECONDS\` and \`BENCH_WARMUP_SECONDS\`
set the rounds and the time per run; needs Redis at \`REDIS_URL\` and PostgreSQL at \`POSTGRES_URL\`).
`;
writeFileSync(new URL('../results/authorization-server.md', import.meta.url), report);
console.log('wrote bench/results/authorization-server.md');
if (problems.length > 0)
  console.error(`\n!!! INVALID RUN: ${problems.length} problem(s); see above and the results file\n`);
process.exit(problems.length > 0 ? 1 : 0);

/** Stops the server processes, then removes what they stored. */
async function stopServers() {
  for (const child of children) {
    if (child.connected) child.disconnect();
    child.kill();
  }
  await Promise.all(
    children.map((child) => child.exitCode === null && new Promise((resolve) => child.once('exit', resolve))),
  );
  await removeStores(stores);
}

/** The total of a field over the measured rounds. */
function total(runs, field) {
  return runs.reduce((sum, run) => sum + (run[field] ?? 0), 0);
}

/**
 * The autocannon options for one endpoint of one server.
 *
 * @param {{ name: string, discovery: Record<string, any> }} server
 * @param {string} endpoint
 */
function targetFor(server, endpoint) {
  const base = { server: server.id, endpoint, name: `${server.name}: ${labels[endpoint]}` };
  if (endpoint === 'discovery')
    return { ...base, url: `${server.discovery.issuer}/.well-known/openid-configuration`, method: 'GET' };
  if (endpoint === 'jwks') return { ...base, url: server.discovery.jwks_uri, method: 'GET' };
  const tokenRequest = {
    ...base,
    url: server.discovery.token_endpoint,
    method: 'POST',
    headers: {
      authorization: basicAuth(client.client_id, client.client_secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
  };
  if (endpoint === 'client_credentials')
    return {
      ...tokenRequest,
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api', resource }).toString(),
    };
  return { ...tokenRequest, signIn: server.signIn };
}

/**
 * One bounded autocannon run, keeping the first failing answer for the report. Refresh targets send
 * chains nobody has sent yet: those a run left in its pool (their answer arrived, the token was
 * never sent again), topped up with fresh sign-ins; a token popped for a request cut off by the end
 * of a run is dropped, as its successor may have been lost.
 */
async function measure(target, seconds) {
  target.firstFailure = undefined;
  let requests;
  if (target.signIn) {
    target.chains ??= [];
    const missing = connections - target.chains.length;
    if (missing > 0) target.chains.push(...(await refreshTokens(target.signIn, missing)));
    requests = refreshChainRequests(target, target.chains);
  } else
    requests = [
      { onResponse: (status, body) => (status < 200 || status > 299) && recordFailure(target, status, body) },
    ];
  return measureHttp({ ...target, requests, connections, durationSeconds: seconds });
}

/** Keeps the first failing answer: after a chain breaks, later failures are only its echo. */
function recordFailure(target, status, body, note = '') {
  if (target.firstFailure === undefined) target.firstFailure = `${status}${note} ${body.slice(0, 200)}`;
}

/**
 * Autocannon requests that each send the latest token of a refresh chain. Autocannon resets a
 * connection's `context` every time it starts its request list over, so with one request the
 * context cannot carry a token from one request to the next; the chains sit in a pool instead.
 * A connection takes a token when it builds a request and puts back the rotated one when the
 * answer arrives, in the same tick as it builds its next request, so in practice each connection
 * keeps its own chain and no token is ever sent twice.
 *
 * @param {{ firstFailure?: string }} target where the first failing answer is kept for the report
 * @param {string[]} pool one unsent token per connection; left holding the unsent ones
 */
function refreshChainRequests(target, pool) {
  return [
    {
      setupRequest(request) {
        // An empty pool means a chain broke; this token fails visibly (non-2xx) rather than stalling.
        const token = pool.pop() ?? 'no-chain-left';
        return {
          ...request,
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }).toString(),
        };
      },
      onResponse(status, body) {
        const token = status === 200 ? tryParse(body)?.refresh_token : undefined;
        if (typeof token === 'string') pool.push(token);
        else recordFailure(target, status, body, status === 200 ? ' without a refresh token' : '');
      },
    },
  ];
}

function firstFailure(target) {
  return target.firstFailure ? ` (first failing answer: ${target.firstFailure})` : '';
}

function tryParse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The header and payload of a compact JWS, without verifying it (the servers are ours to trust here). */
function decodeJwt(jwt) {
  const [header, payload] = String(jwt)
    .split('.')
    .slice(0, 2)
    .map((part) => tryParse(Buffer.from(part, 'base64url').toString()));
  return { header: header ?? {}, payload: payload ?? {} };
}

/** POSTs a form to the token endpoint with the client's Basic credentials. */
async function tokenRequest(server, form) {
  const response = await fetch(server.discovery.token_endpoint, {
    method: 'POST',
    headers: {
      authorization: basicAuth(client.client_id, client.client_secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(form),
  });
  const text = await response.text();
  return { status: response.status, text, json: tryParse(text) };
}

/**
 * One request of each kind before any load: both servers must answer alike (ES256 JWT access
 * tokens for the resource, RS256 ID tokens, rotation) or the comparison is not like for like.
 * Returns a one-line description for the report; mismatches are flagged.
 */
async function check(server) {
  const notes = [];
  const expect = (ok, message) => {
    if (!ok) flag(`${server.name}: ${message}`);
  };
  if (server.discovery.issuer !== server.issuer)
    flag(`${server.name}: discovery names issuer ${server.discovery.issuer}`);

  const jwksResponse = await fetch(server.discovery.jwks_uri);
  const jwks = tryParse(await jwksResponse.text());
  expect(jwksResponse.status === 200 && Array.isArray(jwks?.keys), `jwks_uri answered ${jwksResponse.status}`);
  const keyList = (jwks?.keys ?? []).map((key) => `${key.kty} ${key.alg ?? '(no alg)'}`).join(', ');
  expect(!(jwks?.keys ?? []).some((key) => 'd' in key), 'the JWKS publishes a private key');
  notes.push(`JWKS: ${keyList}`);

  const credentials = await tokenRequest(server, { grant_type: 'client_credentials', scope: 'api', resource });
  expect(
    credentials.status === 200,
    `client_credentials answered ${credentials.status}: ${credentials.text.slice(0, 300)}`,
  );
  notes.push(`client_credentials: ${describeAccessToken(credentials.json, expect)}`);

  const first = await signIn(server.signIn);
  const idToken = decodeJwt(first.id_token).header;
  expect(idToken.alg === 'RS256', `ID token signed ${idToken.alg}, not RS256`);
  const refreshed = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
  expect(refreshed.status === 200, `refresh_token answered ${refreshed.status}: ${refreshed.text.slice(0, 300)}`);
  const rotated =
    typeof refreshed.json?.refresh_token === 'string' && refreshed.json.refresh_token !== first.refresh_token;
  expect(rotated, 'the refresh answer carries no new refresh token (not rotated)');
  // Reuse is described, not judged: Gatehouse answers a retry within its grace period with the same
  // successor, oidc-provider refuses it. The load never reuses a token either way.
  const reused = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
  const reuse =
    reused.status === 200 && reused.json?.refresh_token === refreshed.json?.refresh_token
      ? '200 with the same successor (grace period)'
      : `${reused.status} ${reused.json?.error ?? ''}`.trim();
  expect(
    reused.status === 400 || reuse.startsWith('200 with the same'),
    `a used refresh token gave a new chain on reuse`,
  );
  const fields = Object.keys(refreshed.json ?? {})
    .sort()
    .join(', ');
  const refreshIdToken = refreshed.json?.id_token ? ` (ID token ${decodeJwt(refreshed.json.id_token).header.alg})` : '';
  notes.push(
    `refresh_token: ${describeAccessToken(refreshed.json, expect)}; answer fields ${fields}${refreshIdToken}; ` +
      `the used token sent again at once → ${reuse}`,
  );
  notes.push(`ID token at sign-in ${idToken.alg}`);
  return notes.join('; ');
}

function describeAccessToken(body, expect) {
  const { header, payload } = decodeJwt(body?.access_token);
  const audience = [payload.aud].flat();
  expect(header.alg === 'ES256', `access token signed ${header.alg}, not ES256`);
  expect(audience.includes(resource), `access token audience ${JSON.stringify(payload.aud)}, not ${resource}`);
  return `access token ${header.alg} typ ${header.typ}, aud ${audience.join(' ')}, scope ${payload.scope ?? '(none)'}`;
}
