// Soak: the Gatehouse authorization server on { durable: PostgreSQL, ephemeral: Redis } and two
// Gatehouse BFFs sharing their sessions in Redis, driven for a long time by virtual users that sign
// in (through a BFF and the AS's own forms), call the API through either BFF (their sessions
// refresh at the AS about every half minute), sign out and sign in again. Reports every process's
// memory (RSS, heap) every minute and every non-2xx answer as it happens; ends with a summary
// (memory slope per process, counts, errors) in bench/results/soak.md. Not in CI and not in a plain
// `npm run bench`: `npm run bench -- soak`, or `node bench/soak/run.js --minutes 30 --users 20`.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, get as httpGet } from 'node:http';
import { followToRedirectUri } from '../authorization-server/login.js';
import { loadLine, machineLine } from '../lib/machine.js';
import { firstMessage, placeLoadGenerator, startServerProcess } from '../lib/placement.js';
import { newRunId, postgresUrl, redisUrl, removeOrphans, removeStores, storeNames } from '../lib/stores.js';

const argument = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const minutes = argument('minutes', 30);
const users = argument('users', 20);
const sampleEveryMs = Math.min(60_000, (minutes * 60_000) / 3); // a short run still gets a few samples
/** Pause between one user's calls, in ms: about users × 1000 / 100 calls a second in all. */
const thinkMs = [50, 150];
/** How long a user stays signed in before signing out and in again, in ms. */
const sessionMs = [20_000, 60_000];

const placement = placeLoadGenerator();
await removeOrphans();
const runId = newRunId();
const names = storeNames(runId, 'soak');
const client = { id: 'soak-bff', secret: randomBytes(24).toString('base64url') };
const user = { email: 'soak@example.com', password: 'correct-horse-battery-staple-42', name: 'Soak' };

// The API behind the BFFs: a small JSON body; it notes each distinct bearer token (a new one after
// a sign-in or a refresh).
const body = JSON.stringify({ items: [{ id: 1, title: 'Buy milk', done: false }] });
const tokensSeen = new Set();
const upstream = createServer((request, response) => {
  const authorization = request.headers.authorization;
  if (authorization) tokensSeen.add(authorization.slice(-32));
  response.writeHead(authorization ? 200 : 401, { 'content-type': 'application/json' });
  response.end(authorization ? body : '{}');
});
await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
const upstreamUrl = `http://127.0.0.1:${upstream.address().port}`;

const [asPort, ...bffPorts] = await Promise.all([freePort(), freePort(), freePort()]);
const issuer = `http://127.0.0.1:${asPort}`;
const bffOrigins = bffPorts.map((port) => `http://127.0.0.1:${port}`);
const servers = new URL('./servers.js', import.meta.url);
const processes = [];
async function start(name, role, options) {
  const child = startServerProcess(servers, [role, JSON.stringify(options)]);
  processes.push({ name, child });
  await firstMessage(child, name);
}
/** Stops every process, then removes what the run stored. */
async function stop() {
  for (const { child } of processes) {
    if (child.connected) child.disconnect();
    child.kill();
  }
  await Promise.all(
    processes.map(({ child }) => child.exitCode === null && new Promise((resolve) => child.once('exit', resolve))),
  );
  upstream.close();
  await removeStores({ redisPrefixes: [names.redisPrefix], schemas: [names.schema] });
}
process.on('uncaughtException', async (error) => {
  console.error(error);
  await stop();
  process.exit(1);
});
process.on('SIGINT', async () => {
  console.error('soak: interrupted; cleaning up');
  await stop();
  process.exit(130);
});

await start('authorization server', 'as', {
  port: asPort,
  durable: `${postgresUrl}?schema=${names.schema}`,
  ephemeral: `${redisUrl}?prefix=${names.redisPrefix}as:`,
  bffOrigins,
  client,
  user,
});
const tokenEncryptionKey = randomBytes(32).toString('base64url');
for (const [i, port] of bffPorts.entries())
  await start(`BFF ${i + 1}`, 'bff', {
    port,
    issuer,
    client,
    redisUrl,
    redisPrefix: `${names.redisPrefix}bff:`,
    tokenEncryptionKey,
    upstreamUrl,
  });
console.log(
  `soak: ${minutes} min, ${users} users; AS on PostgreSQL + Redis, 2 BFFs on Redis; ${placement.description}`,
);

const counts = { signIns: 0, calls: 0, logouts: 0, non2xx: 0, failures: 0 };
const failuresShown = 50;
/** Every non-2xx answer and every failed request, printed as it happens (the first 50 in full). */
function report(where, detail) {
  counts.non2xx += 1;
  if (counts.non2xx <= failuresShown) console.log(`non-2xx  ${elapsed()}  ${where}: ${detail}`);
  else if (counts.non2xx === failuresShown + 1) console.log('non-2xx  (further ones counted, not shown)');
}

const startedAt = Date.now();
const endsAt = startedAt + minutes * 60_000;
const samples = [];
let lastSampleAt = 0;
await sample();
const sampler = setInterval(sample, sampleEveryMs);
await Promise.all(Array.from({ length: users }, (_, i) => virtualUser(i)));
clearInterval(sampler);
// A last sample unless one was just taken (two samples seconds apart would make the slope noise).
if (Date.now() - lastSampleAt > sampleEveryMs / 2) await sample();
const load = loadLine();
await stop();

// The summary: memory slope per process over the samples after the first minute (warm-up: JIT,
// pools, caches filling), and the counts.
const rows = [...new Set(samples.map((s) => s.name))].map((name) => {
  const own = samples.filter((s) => s.name === name);
  const steady = own.filter((s) => s.minute >= 1).length >= 2 ? own.filter((s) => s.minute >= 1) : own;
  const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);
  const first = own[0];
  const last = own.at(-1);
  return {
    name,
    line: `| ${name} | ${mb(first.rss)} → ${mb(last.rss)} | ${slope(steady, 'rss')} | ${mb(first.heapUsed)} → ${mb(last.heapUsed)} | ${slope(steady, 'heapUsed')} |`,
  };
});
const refreshes = Math.max(0, tokensSeen.size - counts.signIns);
const verdict =
  counts.non2xx === 0 && counts.failures === 0 ? 'zero non-2xx answers' : `${counts.non2xx} non-2xx answers`;
console.log(
  `\nsoak: ${counts.signIns} sign-ins, ${counts.calls} proxied calls, ~${refreshes} refreshes, ${counts.logouts} sign-outs; ${verdict}`,
);
for (const row of rows) console.log(row.line);
const result = `# Soak

${machineLine()}
${load}

${minutes} min with ${users} virtual users against the Gatehouse authorization server on \`{ durable:
PostgreSQL, ephemeral: Redis }\` and two Gatehouse BFFs sharing their sessions in Redis (schema and
key prefix of this run's own, removed afterwards); ${placement.description}. Each user signs in
through a BFF and the AS's forms, calls \`GET /api/data\` through either BFF (a pause of ${thinkMs[0]}–${thinkMs[1]} ms
between calls), and after ${sessionMs[0] / 1000}–${sessionMs[1] / 1000} s signs out (the next call must answer 401) and in again.
Access tokens live 40 s and the BFFs refresh 10 s before expiry, so every session refreshes at the AS
about every half minute. Memory is sampled every ${Math.round(sampleEveryMs / 1000)} s; the slope is a least-squares fit over the
samples after the first minute. The goal is flat memory and zero non-2xx answers.

| | count |
| --- | --- |
| sign-ins | ${counts.signIns} |
| proxied calls | ${counts.calls} |
| refreshes (distinct access tokens at the API beyond one per sign-in) | ~${refreshes} |
| sign-outs (each followed by a call answered 401) | ${counts.logouts} |
| non-2xx answers and failed requests | ${counts.non2xx} |

| process | RSS MiB, first → last | RSS slope | heap used MiB, first → last | heap slope |
| --- | --- | --- | --- | --- |
${rows.map((row) => row.line).join('\n')}

Command: \`node bench/soak/run.js --minutes ${minutes} --users ${users}\` (\`npm run bench -- soak\` runs 30 minutes, 20 users).
`;
writeFileSync(new URL('../results/soak.md', import.meta.url), result);
console.log('wrote bench/results/soak.md');
process.exit(counts.non2xx > 0 ? 1 : 0);

/** One virtual user until the end: sign in, call, sign out, again. */
async function virtualUser(index) {
  // Spread the first sign-ins over a few seconds, as users arrive.
  await sleep(index * 200);
  while (Date.now() < endsAt) {
    const home = bffOrigins[index % 2];
    const cookie = await signIn(home);
    if (!cookie) {
      await sleep(1000);
      continue;
    }
    const signedOutAt = Math.min(endsAt, Date.now() + between(sessionMs));
    let call = 0;
    while (Date.now() < signedOutAt) {
      const origin = bffOrigins[(index + call) % 2];
      call += 1;
      await proxiedCall(origin, cookie);
      await sleep(between(thinkMs));
    }
    await signOut(bffOrigins[(index + call) % 2], cookie);
  }
}

/** A sign-in through the BFF at `origin`; the session cookie, or undefined (reported). */
async function signIn(origin) {
  try {
    const start = await navigate(`${origin}/bff/login`);
    if (start.status !== 302) return void report(`${origin} GET /bff/login`, String(start.status));
    const jar = cookiesOf(start);
    const callback = await followToRedirectUri(new URL(start.headers.location), {
      redirectUri: `${origin}/bff/callback`,
      email: user.email,
      password: user.password,
    });
    const done = await fetch(callback, { redirect: 'manual', headers: { cookie: cookieHeader(jar) } });
    await done.arrayBuffer();
    for (const [name, value] of cookiesOf(done)) jar.set(name, value);
    const session = jar.get('__Host-gh-session');
    // The callback answers 200 with a small page that navigates on (so the SameSite=Strict cookie goes along).
    if (done.status !== 200 || !session) return void report(`${origin} GET /bff/callback`, String(done.status));
    counts.signIns += 1;
    return `__Host-gh-session=${session}`;
  } catch (error) {
    counts.failures += 1;
    report(`${origin} sign-in`, error.message.slice(0, 200));
    return undefined;
  }
}

async function proxiedCall(origin, cookie) {
  try {
    const response = await fetch(`${origin}/api/data`, { headers: { cookie, 'x-csrf': '1' } });
    const text = await response.text();
    counts.calls += 1;
    if (response.status < 200 || response.status > 299)
      report(`${origin} GET /api/data`, `${response.status} ${text.slice(0, 200)}`);
  } catch (error) {
    counts.failures += 1;
    report(`${origin} GET /api/data`, error.message);
  }
}

/** Signs out at `origin`; the next call with the same cookie, at the other BFF, must answer 401. */
async function signOut(origin, cookie) {
  try {
    const response = await fetch(`${origin}/bff/logout`, {
      method: 'POST',
      headers: { cookie, 'x-csrf': '1', accept: 'application/json' },
    });
    await response.arrayBuffer();
    if (response.status !== 200) return report(`${origin} POST /bff/logout`, String(response.status));
    counts.logouts += 1;
    const other = bffOrigins.find((candidate) => candidate !== origin);
    const after = await fetch(`${other}/api/data`, { headers: { cookie, 'x-csrf': '1' } });
    await after.arrayBuffer();
    if (after.status !== 401) report(`${other} GET /api/data after sign-out`, `${after.status}, not 401`);
  } catch (error) {
    counts.failures += 1;
    report(`${origin} sign-out`, error.message);
  }
}

/** Every process's memory, printed as one line and kept for the summary. */
async function sample() {
  lastSampleAt = Date.now();
  const minute = (Date.now() - startedAt) / 60_000;
  const own = { name: 'load generator + API', ...process.memoryUsage() };
  const answers = await Promise.all(
    processes.map(
      ({ name, child }) =>
        new Promise((resolve) => {
          const timer = setTimeout(() => resolve({ name, rss: Number.NaN, heapUsed: Number.NaN }), 5000);
          child.once('message', ({ memory }) => {
            clearTimeout(timer);
            resolve({ name, ...memory });
          });
          child.send('memory');
        }),
    ),
  );
  const line = [...answers, own]
    .map((m) => `${m.name} ${(m.rss / 2 ** 20).toFixed(0)}/${(m.heapUsed / 2 ** 20).toFixed(0)} MiB`)
    .join(', ');
  console.log(`memory   ${elapsed()}  (RSS/heap) ${line}; ${counts.calls} calls, ${counts.non2xx} non-2xx so far`);
  for (const m of [...answers, own]) samples.push({ minute, name: m.name, rss: m.rss, heapUsed: m.heapUsed });
}

/** MiB per minute, least squares; `n/a` with fewer than two samples. */
function slope(points, field) {
  const valid = points.filter((p) => Number.isFinite(p[field]));
  if (valid.length < 2) return 'n/a';
  const meanX = valid.reduce((s, p) => s + p.minute, 0) / valid.length;
  const meanY = valid.reduce((s, p) => s + p[field], 0) / valid.length;
  const num = valid.reduce((s, p) => s + (p.minute - meanX) * (p[field] - meanY), 0);
  const den = valid.reduce((s, p) => s + (p.minute - meanX) ** 2, 0);
  const perMinute = den === 0 ? 0 : num / den / 2 ** 20;
  return `${perMinute >= 0 ? '+' : ''}${perMinute.toFixed(2)} MiB/min`;
}

function elapsed() {
  const seconds = Math.round((Date.now() - startedAt) / 1000);
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}

function between([low, high]) {
  return low + Math.random() * (high - low);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** name → value of a response's Set-Cookie lines (fetch Response or node IncomingMessage). */
function cookiesOf(response) {
  const lines = response.headers.getSetCookie
    ? response.headers.getSetCookie()
    : (response.headers['set-cookie'] ?? []);
  const jar = new Map();
  for (const line of lines) {
    const [pair] = line.split(';');
    const at = pair.indexOf('=');
    jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
  }
  return jar;
}

function cookieHeader(jar) {
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}

/** A GET as a browser navigation sends it, which the BFF's sign-in start requires (fetch says `cors`). */
function navigate(url) {
  return new Promise((resolve, reject) => {
    const request = httpGet(
      url,
      { headers: { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' } },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode, headers: response.headers }));
      },
    );
    request.on('error', reject);
  });
}
