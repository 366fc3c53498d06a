import { join } from 'node:path';
import { type ProviderPeer, startProviderPeer } from '@gatehouse/test-kit';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';
import { startEchoApi, startStaticServer } from './static-server.js';

// A backend-less SPA on http://localhost using the SDK's public client against oidc-provider on
// 127.0.0.1: code + PKCE in the browser, tokens in memory, renewal by rotating refresh token, and an
// authorized fetch that sends the token to its API only.
describe('public client journey in Chromium', () => {
  let peer: ProviderPeer;
  let site: Awaited<ReturnType<typeof startStaticServer>>;
  let api: Awaited<ReturnType<typeof startEchoApi>>;
  let foreign: Awaited<ReturnType<typeof startEchoApi>>;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    const documents: Record<string, unknown> = {};
    site = await startStaticServer(
      {
        '/sdk/': join(import.meta.dirname, '../../packages/browser/dist'),
        '/': join(import.meta.dirname, 'public-app'),
      },
      documents,
    );
    origin = `http://localhost:${site.port}`;
    api = await startEchoApi(origin);
    foreign = await startEchoApi(origin);
    peer = await startProviderPeer({
      redirectUri: `${origin}/unused-confidential-callback`,
      publicClient: { clientId: 'spa', redirectUri: `${origin}/app.html` },
    });
    Object.assign(documents, {
      '/config.json': {
        issuer: peer.issuer,
        clientId: 'spa',
        api: `http://localhost:${api.port}`,
        foreign: `http://127.0.0.1:${foreign.port}`,
        // Larger than the provider's token lifetime: every request renews, to exercise rotation.
        renewalMarginSeconds: 100_000,
      },
    });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await peer?.stop();
    await site?.stop();
    await api?.stop();
    await foreign?.stop();
  });

  it('signs in with PKCE, keeps tokens in memory only, renews by rotation, and scopes the bearer token', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/app.html`);
    await expect.poll(() => page.textContent('#status')).toBe('signed out');

    await page.click('#call');
    await expect.poll(() => page.textContent('#out')).toBe('sign-in required');

    const [authorizeRequest] = await Promise.all([
      page.waitForRequest((request) => request.url().startsWith(`${peer.issuer}/auth?`)),
      page.click('#login'),
    ]);
    const authorize = new URL(authorizeRequest.url());
    await page.waitForURL(`${peer.issuer}/interaction/**`);
    await page.fill('input[name=login]', 'bob');
    await page.fill('input[name=password]', 'any password');
    await page.click('button[type=submit]');
    await page.waitForURL(/\/interaction\/|localhost/);
    if (page.url().startsWith(peer.issuer)) await page.click('button[type=submit]'); // consent
    await page.waitForURL(`${origin}/app.html`);
    await expect.poll(() => page.textContent('#status')).toBe('signed in as bob');
    expect(await page.textContent('#restored')).toBe('restored: kept across sign-in');
    expect(page.url()).toBe(`${origin}/app.html`); // code and state removed from the address bar
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Nothing persistent holds a token: the tokens exist only in the page's memory.
    const storage = (await page.evaluate(
      'JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie })',
    )) as string;
    expect(JSON.parse(storage)).toEqual({ local: {}, session: {}, cookie: '' });

    await page.click('#call');
    await expect.poll(() => page.textContent('#out')).toBe('{"bearer":true}');
    await page.click('#call-foreign');
    await expect.poll(() => page.textContent('#out')).toBe('{"bearer":false}');
    expect(foreign.seen.every((request) => request.authorization === undefined)).toBe(true);

    await page.click('#renew');
    await expect.poll(() => page.textContent('#out')).toBe('{"statuses":["ok","ok"],"different":true}');

    // A reload forgets the in-memory tokens: that is the point.
    await page.reload();
    await expect.poll(() => page.textContent('#status')).toBe('signed out');
    await context.close();
  }, 60_000);

  it('asks for a scope not granted at sign-in by incremental consent, and comes back with the app state', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/app.html`);
    await page.click('#login');
    await page.waitForURL(`${peer.issuer}/interaction/**`);
    await page.fill('input[name=login]', 'bob');
    await page.fill('input[name=password]', 'any password');
    await page.click('button[type=submit]');
    await page.waitForURL(/\/interaction\/|localhost/);
    if (page.url().startsWith(peer.issuer)) await page.click('button[type=submit]'); // consent
    await page.waitForURL(`${origin}/app.html`);
    await expect.poll(() => page.textContent('#status')).toBe('signed in as bob');

    // One token per scope set: a subset of the granted scopes is narrowed by a refresh with `scope`.
    const [narrowing] = await Promise.all([
      page.waitForRequest((request) => request.url() === `${peer.issuer}/token`),
      page.evaluate('window.gatehouse.requestAccessToken({ scopes: ["openid"] })'),
    ]);
    const form = new URLSearchParams(narrowing.postData() ?? '');
    expect([form.get('grant_type'), form.get('scope')]).toEqual(['refresh_token', 'openid']);

    // `email` was never granted: the provider is asked for it with the granted scopes, and asks the user.
    const [authorizeRequest] = await Promise.all([
      page.waitForRequest((request) => request.url().startsWith(`${peer.issuer}/auth?`)),
      page.click('#consent'),
    ]);
    const scopes = new URL(authorizeRequest.url()).searchParams.get('scope')?.split(' ').sort();
    expect(scopes).toEqual(['email', 'offline_access', 'openid', 'profile']);
    await page.waitForURL(`${peer.issuer}/interaction/**`);
    expect(await page.textContent('body')).toContain('email'); // the consent page, for the new scope
    await page.click('button[type=submit]');
    await page.waitForURL(`${origin}/app.html`);
    await expect.poll(() => page.textContent('#status')).toBe('signed in as bob');
    expect(await page.textContent('#restored')).toBe('restored: missing email');

    await page.click('#consent');
    await expect.poll(() => page.textContent('#out')).toBe('token for: email');
    await context.close();
  }, 60_000);

  it('refuses a callback whose state this tab never issued', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/app.html?code=forged&state=${'A'.repeat(43)}&iss=${encodeURIComponent(peer.issuer)}`);
    await expect.poll(() => page.textContent('#out')).toBe('sign-in failed: invalid_state');
    expect(page.url()).toBe(`${origin}/app.html`);
    await context.close();
  }, 30_000);
});
