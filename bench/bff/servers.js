// The systems under test for the BFF benchmark, in a process of their own so the load generator
// (bench/bff/run.js, autocannon) does not compete with them inside one event loop. Sends the
// targets to the parent over IPC once every one of them has answered correctly.
import { randomBytes } from 'node:crypto';
import { createServer, get as httpGet } from 'node:http';
import replyFrom from '@fastify/reply-from';
import { createBff, loadBffConfig } from '@gatehouse/bff';
import { openStore } from '@gatehouse/store';
import express from 'express';
import expressOpenIdConnect from 'express-openid-connect';
import Fastify from 'fastify';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { cookiesFrom, loginAtProvider, startProviderProcess } from './provider.js';

const { auth, requiresAuth } = expressOpenIdConnect;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const secret = 'bench-client-secret-0123456789';

async function listen(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${server.address().port}`;
}
function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
function cookieHeader(map) {
  return [...map].map(([name, value]) => `${name}=${value}`).join('; ');
}

// The upstream API: a small JSON body.
const body = JSON.stringify({
  items: [
    { id: 1, title: 'Buy milk', done: false },
    { id: 2, title: 'Walk', done: true },
  ],
});
/** The last bearer header the upstream saw, to size the static one of the context row. */
let lastAuthorization = '';
const upstream = createServer((request, response) => {
  if (request.headers.authorization) lastAuthorization = request.headers.authorization;
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
});
const upstreamUrl = await listen(upstream);

const [bffPort, expressPort, cachedPort] = [await freePort(), await freePort(), await freePort()];
const cachedOrigin = `http://127.0.0.1:${cachedPort}`;
const bffOrigin = `http://127.0.0.1:${bffPort}`;
const expressOrigin = `http://127.0.0.1:${expressPort}`;
const provider = await startProviderProcess([
  {
    client_id: 'gatehouse-bff',
    client_secret: secret,
    redirect_uris: [`${bffOrigin}/bff/callback`, `${cachedOrigin}/bff/callback`],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  },
  {
    client_id: 'express-app',
    client_secret: secret,
    redirect_uris: [`${expressOrigin}/callback`],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  },
]);

// Gatehouse BFF, sessions in Redis.
// Under the run's own prefix (the first argument), which bench/bff/run.js removes afterwards.
const store = await openStore(redisUrl, { keyPrefix: process.argv[2] ?? `gatehouse-bench-bff-${process.pid}:` });
const tokenEncryptionKeys = [randomBytes(32).toString('base64url')];
/** A Gatehouse BFF on `port`, signed in as alice; returns the session cookie. */
async function startBff(port, extra = {}) {
  const origin = `http://127.0.0.1:${port}`;
  const app = await createBff(
    loadBffConfig({
      publicUrl: origin,
      issuer: provider.issuer,
      clientId: 'gatehouse-bff',
      clientSecret: secret,
      scopes: ['openid', 'offline_access'],
      tokenEncryptionKeys,
      routes: [
        { path: '/api', target: upstreamUrl, token: 'user' },
        { path: '/open', target: upstreamUrl, token: 'none' },
      ],
      ...extra,
    }),
    { store },
  );
  await app.listen({ port, host: '127.0.0.1' });
  const start = await navigate(`${origin}/bff/login`);
  const cookies = cookiesFrom(start);
  const callback = await loginAtProvider(start.headers.get('location'), 'alice');
  cookiesFrom(await fetch(callback, { redirect: 'manual', headers: { cookie: cookieHeader(cookies) } }), cookies);
  return `__Host-gh-session=${cookies.get('__Host-gh-session')}`;
}
const bffSession = await startBff(bffPort);
await (await fetch(`http://127.0.0.1:${bffPort}/api/data`, { headers: { cookie: bffSession, 'x-csrf': '1' } })).text();
const bearerLength = Math.max(0, lastAuthorization.length - 'Bearer '.length);
const cachedSession = await startBff(cachedPort, { sharedSessionCacheMs: 0 });

// The ceiling: a bare Fastify proxy, no session, no token.
const ceiling = Fastify();
// Registered exactly as the BFF registers it (no base; the full upstream URL per call).
await ceiling.register(replyFrom, { undici: { headersTimeout: 30_000, bodyTimeout: 30_000 } });
ceiling.get('/api/*', (request, reply) => reply.from(`${upstreamUrl}${request.url.slice(4)}`));
// The same, adding a bearer header as large as the BFF's (what any token-attaching proxy must send).
const staticBearer = `Bearer ${'x'.repeat(bearerLength)}`;
ceiling.get('/with-token/*', (request, reply) =>
  reply.from(`${upstreamUrl}${request.url.slice(11)}`, {
    rewriteRequestHeaders: (_request, headers) => ({ ...headers, authorization: staticBearer }),
  }),
);
await ceiling.listen({ port: 0, host: '127.0.0.1' });
const ceilingUrl = `http://127.0.0.1:${ceiling.server.address().port}`;

// The usual Node recipe: Express + express-openid-connect (encrypted cookie session) + http-proxy-middleware.
const app = express();
app.use(
  auth({
    issuerBaseURL: provider.issuer,
    baseURL: expressOrigin,
    clientID: 'express-app',
    clientSecret: secret,
    secret: randomBytes(32).toString('hex'),
    authRequired: false,
    authorizationParams: { response_type: 'code', scope: 'openid offline_access' },
  }),
);
app.use(
  '/api',
  requiresAuth(),
  createProxyMiddleware({
    target: upstreamUrl,
    on: {
      proxyReq: (proxyReq, request) =>
        proxyReq.setHeader('authorization', `Bearer ${request.oidc.accessToken.access_token}`),
    },
  }),
);
const expressServer = app.listen(expressPort, '127.0.0.1');
await new Promise((resolve) => expressServer.once('listening', resolve));
const expressStart = await fetch(`${expressOrigin}/login`, { redirect: 'manual' });
const expressCookies = cookiesFrom(expressStart);
const expressCallback = await loginAtProvider(expressStart.headers.get('location'), 'alice');
cookiesFrom(
  await fetch(expressCallback, { redirect: 'manual', headers: { cookie: cookieHeader(expressCookies) } }),
  expressCookies,
);
const expressSession = cookieHeader(new Map([...expressCookies].filter(([name]) => name.startsWith('appSession'))));

// Sanity: every target answers 200 with the body before it is measured.
const targets = [
  { name: 'upstream directly', url: `${upstreamUrl}/data`, headers: {} },
  { name: 'ceiling: Fastify + reply-from, no auth', url: `${ceilingUrl}/api/data`, headers: {} },
  {
    name: 'ceiling + a static bearer header of the same size (context)',
    url: `${ceilingUrl}/with-token/data`,
    headers: {},
  },
  {
    name: 'Gatehouse BFF, shared session cache (default: session in Redis, reused until a change notice; CSRF, token)',
    url: `${bffOrigin}/api/data`,
    headers: { cookie: bffSession, 'x-csrf': '1' },
  },
  {
    name: 'Gatehouse BFF, sharedSessionCacheMs 0 (every call reads the session from Redis; CSRF, token)',
    url: `${cachedOrigin}/api/data`,
    headers: { cookie: cachedSession, 'x-csrf': '1' },
  },
  {
    name: 'Gatehouse BFF, a `none` route (CSRF only, no session)',
    url: `${bffOrigin}/open/data`,
    headers: { 'x-csrf': '1' },
  },
  {
    name: 'Express + express-openid-connect + http-proxy-middleware',
    url: `${expressOrigin}/api/data`,
    headers: { cookie: expressSession },
  },
];
for (const target of targets) {
  const response = await fetch(target.url, { headers: target.headers });
  const text = await response.text();
  if (response.status !== 200 || text !== body)
    throw new Error(`${target.name} answered ${response.status}: ${text.slice(0, 100)}`);
}

process.send({ body, targets });
process.on('disconnect', () => process.exit(0));

/**
 * A GET as a browser navigation sends it (`Sec-Fetch-Mode: navigate`, `Sec-Fetch-Dest: document`),
 * which the BFF's sign-in start requires; Node's fetch always says `cors`. Answers like fetch with
 * `redirect: 'manual'` (the headers are what the caller reads).
 */
function navigate(url) {
  return new Promise((resolve, reject) => {
    const request = httpGet(
      url,
      { headers: { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' } },
      (response) => {
        response.resume();
        response.on('end', () => {
          const headers = new Headers();
          for (let i = 0; i < response.rawHeaders.length; i += 2)
            headers.append(response.rawHeaders[i], response.rawHeaders[i + 1]);
          resolve(new Response(null, { status: response.statusCode, headers }));
        });
      },
    );
    request.on('error', reject);
  });
}
