import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
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
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBff } from '../src/app.js';
import { loadBffConfig } from '../src/config/bff-config.js';

// Back-channel logout from oidc-provider to the BFF. The provider posts to a recording relay in
// front of the BFF, so the test can also replay the very token the provider sent.
describe('BFF back-channel logout', () => {
  let peer: ProviderPeer;
  let bff: FastifyInstance;
  let relay: Server;
  let origin: string;
  const delivered: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    relay = createHttpServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', async () => {
        const body = Buffer.concat(chunks).toString();
        delivered.push(body);
        const answer = await fetch(`${origin}/bff/backchannel-logout`, {
          method: 'POST',
          headers: { 'content-type': request.headers['content-type'] as string },
          body,
        });
        response.writeHead(answer.status, { 'content-type': 'application/json' });
        response.end(await answer.text());
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
    });
    bff = await createBff(config, { store: openMemoryStore() });
    await bff.listen({ port, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await bff?.close();
    await peer?.stop();
    await new Promise<void>((resolve) => relay.close(() => resolve()));
  });

  /** A sign-in in a browser of its own, which keeps the provider's cookies too. */
  async function signIn() {
    const browser = new TestBrowser({ origin });
    const start = await browser.navigate('/bff/login');
    const callback = await loginAtProvider(start.headers.get('location') as string, 'alice', browser);
    await browser.navigate(callback.href);
    expect((await browser.fetch('/bff/user', { csrf: true })).status).toBe(200);
    return browser;
  }

  it('ends the session when the user signs out at the provider, and refuses the token’s replay', async () => {
    const browser = await signIn();
    const bystander = await signIn();
    await logoutAtProvider(peer.issuer, browser);
    // The provider notifies clients after answering the browser: wait for the delivery.
    for (let waited = 0; delivered.length === 0 && waited < 3_000; waited += 20) await sleep(20);
    expect(delivered).toHaveLength(1);
    expect((await browser.fetch('/bff/user', { csrf: true })).status).toBe(401);
    expect((await bystander.fetch('/bff/user', { csrf: true })).status).toBe(200);

    const replay = await fetch(`${origin}/bff/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: delivered[0],
    });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_request' });
  });

  it.each([
    ['no body', undefined, 'application/x-www-form-urlencoded'],
    ['no logout_token', 'other=1', 'application/x-www-form-urlencoded'],
    ['two logout_tokens', 'logout_token=a&logout_token=b', 'application/x-www-form-urlencoded'],
    ['a malformed token', 'logout_token=not.a.jwt', 'application/x-www-form-urlencoded'],
    ['a JSON body', '{"logout_token":"x"}', 'application/json'],
  ])('answers %s with 400, never a 500', async (_, body, contentType) => {
    const response = await fetch(`${origin}/bff/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
    expect([400, 415]).toContain(response.status);
  });

  it('refuses a well-formed logout token signed by a key the provider does not publish', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      sub: 'alice',
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'logout+jwt', kid: (await exportJWK(publicKey)).n?.slice(0, 8) })
      .setIssuer(peer.issuer)
      .setAudience(peer.client.clientId)
      .setIssuedAt()
      .setJti(randomBytes(8).toString('hex'))
      .sign(privateKey);
    const response = await fetch(`${origin}/bff/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: token }),
    });
    expect(response.status).toBe(400);
  });
});
