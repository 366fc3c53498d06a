// Authorization-server benchmark: the token endpoint (client_credentials, and refresh_token with
// rotation), discovery and the JWKS of the Gatehouse authorization server against oidc-provider
// configured the same way, in the same run. Each server runs in a child process of its own
// (servers.js); autocannon runs here. Writes bench/results/authorization-server.md.
// Usage: npm run bench -- authorization-server
// (`node bench/authorization-server/run.js --only=oidc-provider` measures one server alone and
// writes nothing, for when the Gatehouse package is not built.)
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { measureHttp } from '../lib/load.js';
import { machineLine } from '../lib/machine.js';
import { basicAuth, discover, refreshTokens, signIn } from './login.js';

const durationSeconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = 50;
const only = process.argv.find((argument) => argument.startsWith('--only='))?.slice('--only='.length);
const peerVersion = JSON.parse(
  readFileSync(new URL('../../node_modules/oidc-provider/package.json', import.meta.url), 'utf8'),
).version;

const children = [];
/** Starts one server in a child process; resolves with what it reports once it listens. */
function startServer(name) {
  const child = fork(new URL('./servers.js', import.meta.url), [name], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it was ready`)));
  });
}
const started = await Promise.all((only ? [only] : ['gatehouse', 'oidc-provider']).map(startServer));
const servers = started.map((message) => message.server);
const { client, user, resource } = started[0];

/** Everything that makes the figures untrustworthy; printed loudly and written at the top of the results. */
const problems = [];
function flag(message) {
  problems.push(message);
  console.error(`\n!!! ${message}\n`);
}

const endpoints = ['client_credentials', 'refresh_token', 'discovery', 'jwks'];
const labels = {
  client_credentials: 'POST /token client_credentials',
  refresh_token: 'POST /token refresh_token (rotated)',
  discovery: 'GET /.well-known/openid-configuration',
  jwks: 'GET jwks_uri',
};

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
    authorizationParams: server.name === 'oidc-provider' ? { prompt: 'consent' } : {},
  };
  server.checks = await check(server);
}

const results = [];
for (const endpoint of endpoints) {
  for (const server of servers) {
    const target = targetFor(server, endpoint);
    // Warm up (JIT, connection pools) before the measured run, so order in the list does not matter.
    const warmUp = await measure(target, 1);
    if (warmUp.non2xx > 0 || warmUp.errors > 0)
      flag(`${target.name} (warm-up): ${warmUp.non2xx} non-2xx, ${warmUp.errors} errors${firstFailure(target)}`);
    const result = await measure(target, durationSeconds);
    if (result.non2xx > 0 || result.errors > 0)
      flag(`${target.name}: ${result.non2xx} non-2xx, ${result.errors} errors${firstFailure(target)}`);
    results.push({ ...target, ...result });
    console.log(`${target.name}: ${result.requestsPerSecond} req/s, p99 ${result.p99Ms} ms`);
  }
}

const table = `| target | req/s | p50 ms | p99 ms | non-2xx | errors |
| --- | --- | --- | --- | --- | --- |
${results.map((r) => `| ${r.name} | ${r.requestsPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.non2xx} | ${r.errors} |`).join('\n')}`;

for (const child of children) {
  child.disconnect();
  child.kill();
}
if (servers.length < 2) {
  console.log(`\n${table}\n\n${servers.map((s) => `${s.name}: ${s.checks}`).join('\n')}`);
  console.log('one server only: bench/results/authorization-server.md left as it was');
  process.exit(problems.length > 0 ? 1 : 0);
}

const find = (name, endpoint) => results.find((r) => r.server === name && r.endpoint === endpoint);
const ratioRows = endpoints.map((endpoint) => {
  const ours = find('Gatehouse', endpoint);
  const peer = find('oidc-provider', endpoint);
  const ratio = (ours.requestsPerSecond / peer.requestsPerSecond).toFixed(2);
  return `| ${labels[endpoint]} | ${ratio}× | ≥ 1.5× | ${ours.p99Ms} / ${peer.p99Ms} | ours ≤ peer |`;
});
const warning =
  problems.length === 0
    ? ''
    : `**INVALID RUN — these figures do not measure what they claim:**\n\n${problems.map((p) => `- ${p}`).join('\n')}\n\n`;
const report = `# Authorization-server benchmark

${machineLine()}

${warning}\`POST /token\` with \`grant_type=client_credentials\` (client_secret_basic, \`scope=api\`,
\`resource=${resource}\`) and with \`grant_type=refresh_token\`, \`GET /.well-known/openid-configuration\`
and \`GET\` of the \`jwks_uri\`; ${connections} connections, ${durationSeconds} s per target after a 1 s warm-up;
autocannon in one process, each server in a process of its own (\`servers.js\`), everything in memory.
The peer is oidc-provider ${peerVersion} set up like ours: one confidential client, resource indicators
with \`${resource}\` as the default resource, ES256 JWT access tokens (RFC 9068), RS256 ID tokens,
one ES256 and one RS256 key in the JWKS, and refresh tokens rotated on every use. Each refresh
connection follows its own chain — every request sends the refresh token the previous answer
returned — started by a scripted code flow with PKCE through the provider's own sign-in forms
(${connections} fresh sign-ins before the warm-up and ${connections} more before the measured run). Any non-2xx
answer or failed request (a broken chain, say), or a server answering unlike the other in the checks
below, puts an INVALID RUN warning at the top of this file and fails the run. On a shared 2-core
machine figures move ±25 % between runs; compare the ratios.

${table}

| Gatehouse / oidc-provider | req/s | goal | p99 ms, ours / peer | goal |
| --- | --- | --- | --- | --- |
${ratioRows.join('\n')}

Checked before the runs:
${servers.map((s) => `- ${s.name}: ${s.checks}`).join('\n')}

Command: \`npm run bench -- authorization-server\` (\`BENCH_SECONDS\` sets the time per target).
`;
writeFileSync(new URL('../results/authorization-server.md', import.meta.url), report);
console.log('wrote bench/results/authorization-server.md');
if (problems.length > 0)
  console.error(`\n!!! INVALID RUN: ${problems.length} problem(s); see above and the results file\n`);
process.exit(problems.length > 0 ? 1 : 0);

/**
 * The autocannon options for one endpoint of one server.
 *
 * @param {{ name: string, discovery: Record<string, any> }} server
 * @param {string} endpoint
 */
function targetFor(server, endpoint) {
  const base = { server: server.name, endpoint, name: `${server.name}: ${labels[endpoint]}` };
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
 * One bounded autocannon run, keeping the last failing answer for the report. Refresh targets get
 * fresh chains first: tokens left from an earlier run may have been rotated by a request still in
 * flight when it stopped.
 */
async function measure(target, seconds) {
  target.firstFailure = undefined;
  const requests = target.signIn
    ? refreshChainRequests(target, await refreshTokens(target.signIn, connections))
    : [{ onResponse: (status, body) => (status < 200 || status > 299) && recordFailure(target, status, body) }];
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
 * @param {string[]} tokens one per connection
 */
function refreshChainRequests(target, tokens) {
  const pool = [...tokens];
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
