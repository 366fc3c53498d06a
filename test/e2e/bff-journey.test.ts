import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBff, loadBffConfig } from '@gatehouse/bff';
import { openMemoryStore } from '@gatehouse/store';
import { freePort, type ProviderPeer, startProviderPeer } from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';

// The BFF pattern in a real browser: the SPA on http://localhost, the provider on 127.0.0.1 (another
// site), the SDK's BFF client in the page, an API behind the BFF. Nothing is simulated.
describe('BFF journey in Chromium', () => {
  let peer: ProviderPeer;
  let bff: FastifyInstance;
  let api: Server;
  let browser: Browser;
  let origin: string;
  const staticFolder = mkdtempSync(join(tmpdir(), 'gatehouse-e2e-spa-'));

  beforeAll(async () => {
    cpSync(join(import.meta.dirname, 'bff-app'), staticFolder, { recursive: true });
    cpSync(join(import.meta.dirname, '../../packages/browser/dist'), join(staticFolder, 'sdk'), { recursive: true });
    api = createHttpServer((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          path: request.url,
          bearer: /^Bearer \S+$/.test(request.headers.authorization ?? ''),
          cookie: request.headers.cookie ?? null,
          custom: request.headers['x-custom-header'] ?? null,
        }),
      );
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const port = await freePort();
    origin = `http://localhost:${port}`;
    peer = await startProviderPeer({ redirectUri: `${origin}/bff/callback` });
    const config = loadBffConfig({
      publicUrl: origin,
      issuer: peer.issuer,
      clientId: peer.client.clientId,
      clientSecret: peer.client.clientSecret,
      scopes: ['openid', 'profile', 'offline_access'],
      tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
      static: staticFolder,
      routes: [{ path: '/api', target: `http://127.0.0.1:${(api.address() as { port: number }).port}`, token: 'user' }],
    });
    bff = await createBff(config, { store: openMemoryStore() });
    await bff.listen({ port, host: '127.0.0.1' });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await bff?.close();
    await peer?.stop();
    api?.close();
    rmSync(staticFolder, { recursive: true, force: true });
  });

  async function signInAtProvider(page: Page) {
    await page.waitForURL(`${peer.issuer}/**`);
    await page.fill('input[name=login]', 'alice');
    await page.fill('input[name=password]', 'any password');
    await page.click('button[type=submit]');
    await page.waitForURL(/\/interaction\/|\/bff\/|localhost/);
    if (page.url().startsWith(peer.issuer)) await page.click('button[type=submit]'); // consent
  }

  it('signs in through a cross-site provider, keeps app state, calls the API, and signs out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    await expect.poll(() => page.textContent('#status')).toBe('signed out');

    await page.click('#call');
    await expect.poll(() => page.textContent('#out')).toBe('login required: no_session');

    await page.click('#login-with-state');
    await signInAtProvider(page);
    await page.waitForURL(`${origin}/`);
    // The Strict cookie arrived with the very first request after the cross-site login: no reload.
    await expect.poll(() => page.textContent('#status')).toBe('signed in as alice');
    expect(await page.textContent('#restored')).toBe('restored: unsaved text');
    expect(page.url()).toBe(`${origin}/`); // the state id was removed from the address bar

    const cookies = await context.cookies(origin);
    const session = cookies.find((c) => c.name === '__Host-gh-session');
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
    expect(cookies.find((c) => c.name === '__Host-gh-login')).toBeUndefined();
    expect(await page.evaluate('document.cookie')).toBe(''); // nothing readable by scripts

    await page.click('#call');
    await expect.poll(() => page.textContent('#out')).toContain('"bearer":true');
    const seen = JSON.parse((await page.textContent('#out')) as string);
    expect(seen).toEqual({ path: '/data', bearer: true, cookie: null, custom: 'from-the-spa' });

    await page.click('#logout');
    await page.waitForURL(`${peer.issuer}/**`);
    await page.click('button[name=logout]'); // the provider asks before signing out
    await page.waitForURL(`${origin}/`);
    await expect.poll(() => page.textContent('#status')).toBe('signed out');
    expect((await context.cookies(origin)).find((c) => c.name === '__Host-gh-session')).toBeUndefined();
    await context.close();
  }, 60_000);

  it('the BFF client never sends x-csrf to another origin, and always to its own', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    await page.waitForSelector('body[data-ready="true"]');
    const sent = new Map<string, { method: string; csrf: string | undefined }>();
    page.on('request', (request) => {
      sent.set(new URL(request.url()).pathname, { method: request.method(), csrf: request.headers()['x-csrf'] });
    });
    const apiOrigin = `http://127.0.0.1:${(api.address() as { port: number }).port}`;
    // Another origin (a cross-origin fetch, then a Request object for it), then our own.
    await page.evaluate(
      async ([other]) => {
        const bff = (globalThis as unknown as { gatehouseBff: { fetch: typeof fetch } }).gatehouseBff;
        await bff.fetch(`${other}/elsewhere`).catch(() => undefined);
        await bff.fetch(new Request(`${other}/elsewhere-request`)).catch(() => undefined);
        await bff.fetch('/api/data').catch(() => undefined);
      },
      [apiOrigin],
    );
    // A header on a cross-origin call would have needed a preflight (OPTIONS) and shown up here.
    expect(sent.get('/elsewhere')).toEqual({ method: 'GET', csrf: undefined });
    expect(sent.get('/elsewhere-request')).toEqual({ method: 'GET', csrf: undefined });
    expect(sent.get('/api/data')).toEqual({ method: 'GET', csrf: '1' });
    await context.close();
  });
});
