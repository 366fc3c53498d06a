import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { openMemoryStore } from '@gatehouse/store';
import {
  freePort,
  loginAtProvider,
  logoutAtProvider,
  type ProviderPeer,
  startProviderPeer,
  TestBrowser,
} from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBff } from '../../src/app.js';
import { loadBffConfig } from '../../src/config/bff-config.js';

// Issue #17: the BFF's security events — sessions started and ended (with the cause), back-channel
// logouts received and refused, rate-limit refusals — as log lines with a stable `event` field, and
// never a session id, cookie or token in them. oidc-provider is the provider; its back-channel
// logout reaches the BFF through a relay that keeps each token, so a test can replay it.

interface LogLine {
  level: number;
  event?: string;
  [field: string]: unknown;
}

describe('BFF security events', () => {
  let peer: ProviderPeer;
  let bff: FastifyInstance;
  let relay: Server;
  let origin: string;
  const delivered: string[] = [];
  const lines: LogLine[] = [];
  const events = (name: string) => lines.filter((line) => line.event === name);

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    relay = createHttpServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', async () => {
        const body = Buffer.concat(chunks).toString();
        delivered.push(body);
        const answer = await fetch(`${origin}/bff/backchannel-logout`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
        });
        response.writeHead(answer.status).end(await answer.text());
      });
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const relayUrl = `http://127.0.0.1:${(relay.address() as { port: number }).port}/`;
    peer = await startProviderPeer({ redirectUri: `${origin}/bff/callback`, backchannelLogoutUri: relayUrl });
    const config = loadBffConfig({
      publicUrl: origin,
      issuer: peer.issuer,
      clientId: peer.client.clientId,
      clientSecret: peer.client.clientSecret,
      tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
      rateLimits: { login: { limit: 3, windowSeconds: 60 } },
    });
    bff = await createBff(config, {
      store: openMemoryStore(),
      logger: { level: 'info', stream: { write: (line: string) => lines.push(JSON.parse(line) as LogLine) } },
    });
    await bff.listen({ port, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await bff?.close();
    await peer?.stop();
    await new Promise<void>((resolve) => relay.close(() => resolve()));
  });
  beforeEach(() => {
    lines.length = 0;
  });

  async function signIn() {
    const browser = new TestBrowser({ origin });
    const start = await browser.navigate('/bff/login');
    const callback = await loginAtProvider(start.headers.get('location') as string, 'alice', browser);
    await browser.navigate(callback.href);
    expect((await browser.fetch('/bff/user', { csrf: true })).status).toBe(200);
    return browser;
  }

  /** Neither the session cookie nor anything the provider sent is in a log line. */
  function expectNothingSecretLogged(browser: TestBrowser) {
    const logged = JSON.stringify(lines);
    const sessionCookie = browser.cookie('__Host-gh-session', origin);
    if (sessionCookie) expect(logged).not.toContain(sessionCookie);
    for (const body of delivered) {
      const token = new URLSearchParams(body).get('logout_token') as string;
      expect(logged).not.toContain(token);
      expect(logged).not.toContain(token.split('.')[2]);
    }
  }

  it('a sign-in and a logout: session_started and session_ended (logout) naming the subject only', async () => {
    const browser = await signIn();
    expect(events('session_started')).toEqual([expect.objectContaining({ level: 30, sub: 'alice' })]);
    const cookie = browser.cookie('__Host-gh-session', origin) as string;
    const logout = await browser.fetch('/bff/logout', { method: 'POST', csrf: true });
    expect(logout.status).toBeLessThan(400);
    expect(events('session_ended')).toEqual([
      expect.objectContaining({ level: 30, cause: 'logout', sessions: 1, sub: 'alice' }),
    ]);
    expect(JSON.stringify(lines)).not.toContain(cookie);
  });

  it('a provider logout: backchannel_logout_received and session_ended (backchannel); its replay refused', async () => {
    const browser = await signIn();
    const before = delivered.length;
    await logoutAtProvider(peer.issuer, browser);
    await vi.waitFor(() => expect(events('backchannel_logout_received')).toHaveLength(1), { timeout: 5000 });
    expect(events('backchannel_logout_received')[0]).toMatchObject({ level: 30, sessions: 1, sub: 'alice' });
    expect(events('session_ended')).toEqual([
      expect.objectContaining({ cause: 'backchannel', sessions: 1, sub: 'alice' }),
    ]);

    const replay = await fetch(`${origin}/bff/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: delivered[before],
    });
    expect(replay.status).toBe(400);
    expect(events('backchannel_logout_refused')).toEqual([expect.objectContaining({ level: 40, reason: 'replayed' })]);
    expectNothingSecretLogged(browser);
  });

  it('a stranger posting forged logout tokens: backchannel_logout_refused at warn, with the failed check', async () => {
    const post = (body: string) =>
      fetch(`${origin}/bff/backchannel-logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    const forged = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.forged-signature-part';
    expect((await post('other=1')).status).toBe(400);
    expect((await post(`logout_token=${forged}`)).status).toBe(400);
    expect(events('backchannel_logout_refused')).toEqual([
      expect.objectContaining({ level: 40, reason: 'malformed' }),
      expect.objectContaining({ level: 40, reason: 'invalid_token', check: expect.any(String) }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('forged-signature-part');
  });

  it('a stranger starting sign-ins in a loop: rate_limit_refused for the login limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      statuses.push((await new TestBrowser({ origin }).navigate('/bff/login')).status);
    }
    // A sign-in is a page: a refused one is sent on to the login-failed route (303), not to the provider (302).
    const refused = statuses.filter((status) => status === 303).length;
    expect(refused).toBeGreaterThan(0);
    const refusals = events('rate_limit_refused');
    expect(refusals).toHaveLength(refused);
    expect(refusals[0]).toMatchObject({ level: 40, limit: 'login', source_address: '127.0.0.1' });
  });
});
