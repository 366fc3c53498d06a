import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { createBff, loadBffConfig } from '@gatehouse/bff';
import { createRequestVerifier } from '@gatehouse/resource-server';
import { closeGracefully } from '@gatehouse/server-kit';
import { openStore, type Store } from '@gatehouse/store';
import {
  freePort,
  parseForm,
  type RunningAuthorizationServer,
  redisUrl,
  requireService,
  runScopedName,
  startAuthorizationServer,
  TestBrowser,
} from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { Agent, WebSocket } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackFetch, loopbackTransport, selfSignedCertificate } from './loopback-tls.js';
import { nginxPath, type RunningNginx, renderLoopbackConfig, startNginx } from './nginx.js';

const underCi = process.env.CI === 'true' || process.env.CI === '1';
// What the suite needs besides Redis: nginx itself, and openssl for the proxy's certificate.
const missing = [
  ...(existsSync(nginxPath) ? [] : [`nginx at ${nginxPath} (apt-get install nginx, or set NGINX_PATH)`]),
  ...(spawnSync('openssl', ['version']).status === 0 ? [] : ['openssl (apt-get install openssl)']),
];
if (missing.length > 0 && underCi) {
  throw new Error(`the deployment suite must run under CI (.ci/run installs them), but lacks ${missing.join(' and ')}`);
}
if (missing.length > 0) console.warn(`SKIPPED: the deployment suite: no ${missing.join(' and no ')}`);
// The BFF instances share Redis, as a deployment's do (requireService skips with a line, or fails under CI).
const ready = missing.length === 0 && (await requireService('Redis', redisUrl));

/** Sign-ins a browser address may start per minute at the BFF, small enough to reach in a test. */
const loginLimit = 3;
/** The authorization server's `loginFailuresPerIp`: its second failure from one source is refused. */
const loginFailureLimit = 2;

// examples/deployment/nginx.conf as it is, on loopback: TLS at nginx, two BFF instances round robin
// on one Redis, one authorization server, and an API behind the BFF.
describe.skipIf(!ready)('Gatehouse behind the example nginx configuration', () => {
  let dir: string | undefined;
  let ca: string;
  let appOrigin: string;
  let issuer: string;
  let httpPort: number;
  let instancePorts: number[] = [];
  /** Starts BFF instance `i` on its port (again, after a stop). */
  let startBff: (i: number) => Promise<void>;
  let nginx: RunningNginx | undefined;
  let provider: RunningAuthorizationServer | undefined;
  let api: TestApi | undefined;
  const bffs: FastifyInstance[] = [];
  const stores: Store[] = [];
  /** Requests each BFF instance answered. */
  const served = [0, 0];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-nginx-'));
    // nginx's workers (nobody, when the test runs as root) read the config and write their temp files here.
    chmodSync(dir, 0o755);
    const certificate = selfSignedCertificate(dir);
    ca = certificate.pem;
    // Five different ports: freePort checks each alone, so two calls could name the same one.
    const ports: number[] = [];
    while (ports.length < 5) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    const [httpsPort, plainPort, bff0, bff1, asPort] = ports as [number, number, number, number, number];
    httpPort = plainPort;
    const bffPorts = [bff0, bff1] as [number, number];
    instancePorts = [...bffPorts, asPort];
    appOrigin = `https://localhost:${httpsPort}`;
    issuer = `https://127.0.0.1:${httpsPort}`;
    api = await startTestApi();
    const clientSecret = randomBytes(24).toString('base64url');
    provider = await startAuthorizationServer(
      {
        issuer,
        port: asPort,
        trustedProxies: ['127.0.0.1'],
        rateLimits: { loginFailuresPerIp: loginFailureLimit, loginFailuresPerAccount: 100 },
        resources: [api.url],
        clients: [
          {
            client_id: 'app-bff',
            client_secret: clientSecret,
            client_name: 'App',
            redirect_uris: [`${appOrigin}/bff/callback`],
            post_logout_redirect_uris: [`${appOrigin}/`],
            grant_types: ['authorization_code', 'refresh_token'],
            scope: 'openid profile email offline_access api',
            backchannel_logout_uri: `${appOrigin}/bff/backchannel-logout`,
          },
        ],
      },
      { fetch: loopbackFetch(ca) },
    );
    renderLoopbackConfig(dir, {
      httpsPort,
      httpPort,
      bffPorts,
      asPort,
      certPath: certificate.certPath,
      keyPath: certificate.keyPath,
    });
    // The BFF finds the provider through nginx, by its public issuer URL, as in production.
    nginx = await startNginx(dir, httpsPort);
    const config = loadBffConfig({
      publicUrl: appOrigin,
      issuer,
      clientId: 'app-bff',
      clientSecret,
      scopes: ['openid', 'profile', 'email', 'api'],
      tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
      store: redisUrl,
      trustedProxies: ['127.0.0.1'],
      rateLimits: { login: { limit: loginLimit, windowSeconds: 60 } },
      // What the run leaves in Redis (under its own prefix) expires within minutes.
      sessionIdleTimeoutSeconds: 300,
      sessionAbsoluteTimeoutSeconds: 300,
      routes: [
        { path: '/api', target: api.url, token: 'user', scopes: ['api'] },
        { path: '/live', target: `${api.url}/live`, token: 'user', scopes: ['api'] },
      ],
    });
    const keyPrefix = `${runScopedName('gatehouse-test-nginx')}:`;
    startBff = async (i) => {
      // One connection per instance, as two processes would have.
      const store = await openStore(redisUrl, { keyPrefix });
      stores.push(store);
      const bff = await createBff(config, { store, fetch: loopbackFetch(ca) });
      bff.server.on('request', () => {
        served[i] = (served[i] ?? 0) + 1;
      });
      await bff.listen({ port: bffPorts[i] as number, host: '127.0.0.1' });
      bffs[i] = bff;
    };
    await startBff(0);
    await startBff(1);
  }, 60_000);

  afterAll(async () => {
    await nginx?.stop();
    for (const bff of bffs) {
      bff.server.closeAllConnections();
      await bff.close(); // a second close (the last test closed them) just resolves
    }
    for (const store of stores) await store.close();
    await provider?.close();
    await api?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  /** A browser at the app, connecting to nginx from its own loopback address. */
  function browserAt(address: string): TestBrowser {
    return new TestBrowser({ origin: appOrigin, transport: loopbackTransport({ ca, localAddress: address }) });
  }

  /** Signs in at the app through nginx: the BFF's login, the provider's pages, the callback. */
  async function signIn(browser: TestBrowser): Promise<void> {
    const start = await browser.navigate('/bff/login?returnUrl=/todos');
    expect(start.status).toBe(302);
    const authorizeUrl = start.headers.get('location') as string;
    expect(authorizeUrl.startsWith(`${issuer}/authorize?`)).toBe(true);
    // The provider's pages through nginx, then back to the app's callback from the provider's site.
    const callback = await browser.authorize(authorizeUrl, `${appOrigin}/bff/callback`);
    expect(callback.searchParams.get('iss')).toBe(issuer);
    const landing = await browser.navigate(callback.href, { from: issuer });
    expect(landing.status).toBe(200);
    expect(browser.cookie('__Host-gh-session')).toBeDefined();
  }

  it('signs in through nginx and proxies an API call with a token the API accepts, on both BFF instances', async () => {
    const browser = browserAt('127.0.0.10');
    const before = [...served];
    await signIn(browser);
    const user = await browser.fetch('/bff/user', { csrf: true });
    expect(user.status).toBe(200);
    const { claims } = (await user.json()) as { claims: { sub: string; iss: string } };
    expect(claims.iss).toBe(issuer);

    // Round robin without stickiness: consecutive calls land on both instances, the session holds.
    for (let call = 0; call < 4; call += 1) {
      const proxied = await browser.fetch('/api/todos', { csrf: true });
      expect(proxied.status).toBe(200);
      expect(await proxied.json()).toEqual({ path: '/todos' });
    }
    const seen = api?.seen.at(-1) as IncomingHttpHeaders;
    const verifier = createRequestVerifier({ issuer, audience: api?.url as string, fetch: loopbackFetch(ca) });
    const principal = await verifier.verify({ authorization: seen.authorization as string }, { allOf: ['api'] });
    expect(principal.subject).toBe(claims.sub);
    // The API learns the browser's address (nginx → BFF, trusted), and no cookie.
    expect(seen['x-forwarded-for']).toBe('127.0.0.10');
    expect(seen.cookie).toBeUndefined();
    expect(served.map((count, i) => count - (before[i] ?? 0)).every((count) => count >= 2)).toBe(true);
  });

  it('passes a WebSocket upgrade through nginx and the BFF to the API, with the session’s token', async () => {
    const browser = browserAt('127.0.0.11');
    await signIn(browser);
    const dispatcher = new Agent({ connect: { ca } });
    const socket = new WebSocket(`wss://localhost:${new URL(appOrigin).port}/live/feed`, {
      dispatcher,
      headers: { cookie: browser.cookieHeader(), origin: appOrigin },
    });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        socket.addEventListener('message', (event) => resolve(String(event.data)), { once: true });
        socket.addEventListener('error', () => reject(new Error('websocket failed')), { once: true });
      });
      expect(JSON.parse(first)).toEqual({ path: '/live/feed', bearer: true, cookie: null });
    } finally {
      socket.close();
      await dispatcher.close();
    }
  });

  it('answers plain http with a redirect to https only', async () => {
    const browser = browserAt('127.0.0.10');
    const answer = await browser.navigate(`http://localhost:${httpPort}/bff/user`);
    expect(answer.status).toBe(301);
    expect(answer.headers.get('location')).toBe('https://localhost/bff/user');
  });

  it('a crowd of browsers behind the proxy is counted per browser, not as the proxy (trustedProxies)', async () => {
    // Without trustedProxies every browser would be nginx's 127.0.0.1, refused after the third sign-in.
    for (const address of ['127.0.0.21', '127.0.0.22', '127.0.0.23', '127.0.0.24']) {
      for (let attempt = 0; attempt < loginLimit; attempt += 1) {
        const start = await browserAt(address).navigate('/bff/login?returnUrl=/');
        expect(new URL(start.headers.get('location') as string).pathname).toBe('/authorize');
      }
    }
  });

  it('the authorization server behind the proxy counts failed sign-ins per browser, forged X-Forwarded-For or not', async () => {
    /** One wrong password at the provider's login page, from `address`; the status it got. */
    const failOnce = async (address: string, forged?: string): Promise<number> => {
      const browser = new TestBrowser({ transport: loopbackTransport({ ca, localAddress: address }) });
      const page = await browser.navigate(`${issuer}/login`);
      const form = parseForm(await page.text(), `${issuer}/login`);
      const answer = await browser.post(
        form.action,
        { ...form.fields, email: 'nobody@example.com', password: 'not the password 1' },
        { from: issuer, ...(forged ? { headers: { 'x-forwarded-for': forged } } : {}) },
      );
      return answer.status;
    };
    // A crowd: each browser's failures are its own, not the proxy's.
    const crowd: number[] = [];
    for (const address of ['127.0.0.81', '127.0.0.82', '127.0.0.83']) crowd.push(await failOnce(address));
    expect(crowd).toEqual([400, 400, 400]);
    // A stranger naming a new address in every request is still one source, refused once at the limit
    // (as packages/authorization-server/test/config/trusted-proxies.test.ts counts it without a proxy).
    const stranger: number[] = [];
    for (const forged of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
      stranger.push(await failOnce('127.0.0.90', forged));
    }
    expect(stranger).toEqual([400, 429, 429]);
  });

  it('a stranger forging X-Forwarded-For through the proxy is still counted under their own address', async () => {
    const stranger = browserAt('127.0.0.30');
    const answers: string[] = [];
    for (let attempt = 0; attempt <= loginLimit; attempt += 1) {
      const start = await stranger.navigate('/bff/login?returnUrl=/', {
        headers: { 'x-forwarded-for': `198.51.100.${attempt + 1}` },
      });
      answers.push(new URL(start.headers.get('location') as string, appOrigin).pathname);
    }
    expect(answers.slice(0, loginLimit)).toEqual(Array(loginLimit).fill('/authorize'));
    expect(answers[loginLimit]).toBe('/authentication/login-failed');
  });

  it('a scraper on the public name finds no health, readiness or metrics; the instances answer probes directly', async () => {
    const scraper = browserAt('127.0.0.50');
    const before = [...served];
    for (const origin of [appOrigin, issuer]) {
      for (const path of ['/healthz', '/readyz', '/metrics']) {
        const answer = await scraper.navigate(`${origin}${path}`);
        expect(answer.status).toBe(404);
        expect(await answer.json()).toEqual({ error: 'not_found', reason: 'no_such_route' });
      }
    }
    expect(served).toEqual(before);
    // A load balancer or kubelet probes each instance at its own address.
    for (const port of instancePorts) {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready' });
    }
  });

  it('refuses a body over the BFF’s limit at nginx, before it reaches an instance', async () => {
    const browser = browserAt('127.0.0.40');
    const before = [...served];
    const answer = await browser.fetch('/api/upload', {
      method: 'POST',
      csrf: true,
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(1024 * 1024 + 1),
    });
    expect(answer.status).toBe(413);
    expect(await answer.json()).toEqual({ error: 'payload_too_large', reason: 'request_body_too_large' });
    expect(served).toEqual(before);
  });

  // Last: it replaces an instance.
  it('a rolling restart behind nginx loses no call: an instance drains, stops and comes back under load', async () => {
    const browser = browserAt('127.0.0.60');
    await signIn(browser);
    const statuses: number[] = [];
    let running = true;
    const callers = [1, 2, 3, 4].map(async () => {
      while (running) statuses.push((await browser.fetch('/api/todos', { csrf: true })).status);
    });
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    await pause(300);
    // What SIGTERM does in `gatehouse bff`: not ready, a drain delay, close, cut what is left.
    await closeGracefully(bffs[1] as FastifyInstance, { drainDelayMs: 200, drainTimeoutMs: 5_000 });
    await pause(300);
    const servedBeforeRestart = served[1] ?? 0;
    await startBff(1);
    await pause(5_500); // nginx's fail_timeout for the instance that refused connections
    running = false;
    await Promise.all(callers);
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(served[1]).toBeGreaterThan(servedBeforeRestart);
  }, 30_000);

  it('with every BFF instance down, nginx answers 503 in the BFF’s JSON shape with Retry-After', async () => {
    for (const bff of bffs) await closeGracefully(bff, { drainDelayMs: 0, drainTimeoutMs: 1_000 });
    const answer = await browserAt('127.0.0.70').fetch('/api/todos', { csrf: true });
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('5');
    expect(await answer.json()).toEqual({ error: 'unavailable', reason: 'no_instance' });
  });
});

interface TestApi {
  url: string;
  /** The headers of every request, oldest first. */
  seen: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/**
 * An API that answers every request with its path and keeps its headers; a WebSocket upgrade gets
 * one text frame saying what its handshake carried.
 */
async function startTestApi(): Promise<TestApi> {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((request, response) => {
    seen.push(request.headers);
    request.resume();
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ path: request.url }));
  });
  // Upgraded sockets leave the server's connection handling: close() must end them itself.
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (request, socket: Duplex) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    socket.on('error', () => socket.destroy());
    // Any frame from the client (its close frame, here) ends the connection.
    socket.once('data', () => socket.end());
    const accept = createHash('sha1')
      .update(`${request.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    const payload = Buffer.from(
      JSON.stringify({
        path: request.url,
        bearer: /^Bearer eyJ/.test(request.headers.authorization ?? ''),
        cookie: request.headers.cookie ?? null,
      }),
    );
    socket.write(Buffer.concat([Buffer.from([0x81, payload.length]), payload]));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of upgraded) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
