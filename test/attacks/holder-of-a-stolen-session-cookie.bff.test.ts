import { createHash, randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { createBff, loadBffConfig } from '@gatehouse/bff';
import { openMemoryStore, type Store } from '@gatehouse/store';
import { freePort, loginAtProvider, type ProviderPeer, startProviderPeer, TestBrowser } from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The attacker holds a stolen session cookie. The operator, learning of a leak, rotates the
 * token-encryption keys and drops the old one from the configuration. Sessions sealed under the
 * dropped key can no longer be opened: each is ended on first sight — on every kind of request —
 * with a clean 401 `session_expired` (and the cookie cleared), never a 500, a 502 or a session that
 * half works.
 */

const sessionCookie = '__Host-gh-session';

let peer: ProviderPeer;
let api: Server;
let bff: FastifyInstance;
let store: Store;
let port: number;
let origin: string;
const stolen: string[] = [];

function configWith(keys: string[], apiUrl: string) {
  return loadBffConfig({
    publicUrl: origin,
    issuer: peer.issuer,
    clientId: peer.client.clientId,
    clientSecret: peer.client.clientSecret,
    scopes: ['openid', 'profile', 'offline_access'],
    tokenEncryptionKeys: keys,
    tokenMediating: { enabled: true },
    routes: [{ path: '/api', target: apiUrl, token: 'user' }],
  });
}

beforeAll(async () => {
  port = await freePort();
  origin = `http://localhost:${port}`;
  peer = await startProviderPeer({ redirectUri: `${origin}/bff/callback` });
  api = createServer((_request, response) => response.writeHead(200).end('{}'));
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(api.address() as { port: number }).port}`;
  store = openMemoryStore();
  const leakedKey = randomBytes(32).toString('base64url');

  const before = await createBff(configWith([leakedKey], apiUrl), { store });
  await before.listen({ port, host: '127.0.0.1' });
  for (let i = 0; i < 5; i += 1) {
    const browser = new TestBrowser({ origin: origin });
    const start = await browser.navigate('/bff/login?returnUrl=/');
    const callback = await loginAtProvider(start.headers.get('location') as string, `user-${i}`);
    await browser.navigate(callback.href, { from: peer.issuer });
    stolen.push(browser.cookie(sessionCookie) as string);
  }
  await before.close();

  // The rotation: a new key, the leaked one gone from the list.
  bff = await createBff(configWith([randomBytes(32).toString('base64url')], apiUrl), { store });
  await bff.listen({ port, host: '127.0.0.1' });
}, 60_000);
afterAll(async () => {
  await bff?.close();
  await peer?.stop();
  await new Promise<void>((resolve) => api?.close(() => resolve()));
});

function thiefWith(cookie: string): TestBrowser {
  const thief = new TestBrowser({ origin: origin });
  thief.setCookie(sessionCookie, cookie, { sameSite: 'strict' });
  return thief;
}

/** A WebSocket handshake with the cookie, from the BFF's own origin: the status it is answered with. */
function websocketHandshake(cookie: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const handshake = httpRequest({
      host: '127.0.0.1',
      port,
      path: '/api/live',
      headers: {
        host: `localhost:${port}`,
        origin,
        cookie: `${sessionCookie}=${cookie}`,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
      },
    });
    handshake.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    handshake.on('upgrade', (_response, socket) => {
      socket.destroy();
      resolve(101);
    });
    handshake.on('error', reject);
    handshake.end();
  });
}

async function expectSessionExpired(response: Response) {
  expect(response.status).toBe(401);
  expect(await response.json()).toEqual({ error: 'unauthenticated', reason: 'session_expired' });
  expect(response.headers.getSetCookie().join()).toMatch(/__Host-gh-session=;.*Max-Age=0/);
}

describe('the holder of a stolen session cookie, after the leaked key was dropped', () => {
  it('gets 401 session_expired from /bff/user, and the session is over', async () => {
    const thief = thiefWith(stolen[0] as string);
    await expectSessionExpired(await thief.fetch('/bff/user', { csrf: true }));
    const again = await thiefWith(stolen[0] as string).fetch('/bff/user', { csrf: true });
    expect(again.status).toBe(401);
  });

  it('gets 401 session_expired from a proxied route', async () => {
    await expectSessionExpired(await thiefWith(stolen[1] as string).fetch('/api/data', { csrf: true }));
  });

  it('gets 401 session_expired from the token-mediating endpoint', async () => {
    await expectSessionExpired(await thiefWith(stolen[2] as string).fetch('/bff/token', { csrf: true }));
  });

  it('gets 401 session_expired from logout', async () => {
    const logout = await thiefWith(stolen[3] as string).fetch('/bff/logout', {
      method: 'POST',
      csrf: true,
      headers: { accept: 'application/json' },
    });
    await expectSessionExpired(logout);
  });

  it('gets 401 for a WebSocket handshake, and the session is over', async () => {
    expect(await websocketHandshake(stolen[4] as string)).toBe(401);
    const after = await thiefWith(stolen[4] as string).fetch('/bff/user', { csrf: true });
    expect(after.status).toBe(401);
  });

  it('leaves nothing of the ended sessions in the store, and new sign-ins work under the new key', async () => {
    for (const cookie of stolen) await thiefWith(cookie).fetch('/bff/user', { csrf: true });
    for (const cookie of stolen) {
      // Session records are kept under a hash of the id.
      const key = createHash('sha256').update(cookie).digest('base64url');
      expect(await store.get('bff_session', key)).toBeUndefined();
    }
    const browser = new TestBrowser({ origin: origin });
    const start = await browser.navigate('/bff/login?returnUrl=/');
    await browser.navigate((await loginAtProvider(start.headers.get('location') as string, 'user-new')).href, {
      from: peer.issuer,
    });
    expect((await browser.fetch('/bff/user', { csrf: true })).status).toBe(200);
  });
});
