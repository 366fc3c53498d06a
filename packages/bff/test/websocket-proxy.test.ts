import { createHash, randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openMemoryStore } from '@gatehouse/store';
import { freePort, type RunningAuthorizationServer, startAuthorizationServer, TestBrowser } from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { WebSocket } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBff } from '../src/app.js';
import { loadBffConfig } from '../src/config/bff-config.js';

/**
 * A WebSocket server on loopback that, on connect, sends one text frame describing the handshake it
 * received: whether it carried a bearer token, and any cookie.
 */
async function startWebSocketUpstream(): Promise<{ url: string; server: Server }> {
  const server = createServer((_request, response) => response.writeHead(426).end());
  server.on('upgrade', (req, socket) => {
    const accept = createHash('sha1')
      .update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSet-Cookie: planted=1\r\n\r\n`,
    );
    const payload = Buffer.from(
      JSON.stringify({
        bearer: /^Bearer eyJ/.test(req.headers.authorization ?? ''),
        cookie: req.headers.cookie ?? null,
        path: req.url,
      }),
    );
    socket.write(Buffer.concat([Buffer.from([0x81, 126, payload.length >> 8, payload.length & 0xff]), payload]));
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The status a handshake gets, read with a raw upgrade request (a browser would show only "failed"). */
function handshakeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    req.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve(response.statusCode ?? 0);
    });
    req.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('BFF WebSocket proxy', () => {
  let provider: RunningAuthorizationServer;
  let upstream: Awaited<ReturnType<typeof startWebSocketUpstream>>;
  let bff: FastifyInstance;
  let origin: string;
  const clientSecret = randomBytes(24).toString('base64url');

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    upstream = await startWebSocketUpstream();
    provider = await startAuthorizationServer({
      resources: [upstream.url],
      clients: [
        {
          client_id: 'ws-bff',
          client_secret: clientSecret,
          redirect_uris: [`${origin}/bff/callback`],
          grant_types: ['authorization_code', 'refresh_token'],
          scope: 'openid api',
          skip_consent: true,
        },
      ],
    });
    const config = loadBffConfig({
      publicUrl: origin,
      issuer: provider.issuer,
      clientId: 'ws-bff',
      clientSecret,
      scopes: ['openid', 'api'],
      tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
      store: 'memory',
      websocketSessionCheckSeconds: 1,
      routes: [{ path: '/live', target: upstream.url, token: 'user' }],
    });
    bff = await createBff(config, { store: openMemoryStore() });
    await bff.listen({ port, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await bff?.close();
    await provider?.close();
    upstream?.server.close();
  });

  async function signedInBrowser() {
    const browser = new TestBrowser({ origin });
    const start = await browser.navigate('/bff/login?returnUrl=/');
    const callback = await new TestBrowser().authorize(
      start.headers.get('location') as string,
      `${origin}/bff/callback`,
    );
    await browser.navigate(callback.href);
    return browser;
  }

  it('proxies an upgrade with the session token, without the cookie, and closes it when the session ends', async () => {
    const browser = await signedInBrowser();
    const socket = new WebSocket(`ws://127.0.0.1:${new URL(origin).port}/live/feed?x=1`, {
      headers: { cookie: browser.cookieHeader(), origin },
    });
    const first = await new Promise<string>((resolve, reject) => {
      socket.addEventListener('message', (event) => resolve(String(event.data)), { once: true });
      socket.addEventListener('error', () => reject(new Error('websocket failed')), { once: true });
    });
    expect(JSON.parse(first)).toEqual({ bearer: true, cookie: null, path: '/feed?x=1' });

    const closed = new Promise<void>((resolve) => socket.addEventListener('close', () => resolve(), { once: true }));
    const logout = await browser.fetch('/bff/logout', {
      method: 'POST',
      csrf: true,
      headers: { accept: 'application/json' },
    });
    expect(logout.status).toBe(200);
    const started = Date.now();
    await closed;
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('refuses a handshake without a session (401), from another origin (403), or off the routes (404)', async () => {
    const browser = await signedInBrowser();
    const base = `${origin}/live/feed`;
    expect(await handshakeStatus(base, { origin })).toBe(401);
    expect(await handshakeStatus(base, { origin: 'https://evil.example', cookie: browser.cookieHeader() })).toBe(403);
    expect(await handshakeStatus(base, { cookie: browser.cookieHeader() })).toBe(403);
    expect(await handshakeStatus(`${origin}/elsewhere`, { origin, cookie: browser.cookieHeader() })).toBe(404);
    expect(await handshakeStatus(`${origin}/live/%2e%2e/admin`, { origin, cookie: browser.cookieHeader() })).toBe(404);
    expect(await handshakeStatus(base, { origin, cookie: browser.cookieHeader() })).toBe(101);
  });
});
