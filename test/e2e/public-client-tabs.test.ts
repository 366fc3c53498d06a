import { join } from 'node:path';
import { type ProviderPeer, startProviderPeer } from '@gatehouse/test-kit';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';
import { startEchoApi, startStaticServer } from './static-server.js';

// Two tabs of the backend-less SPA in one Chromium profile (one context): they share their tokens
// over a BroadcastChannel and renew under one Web Lock, so the provider sees one refresh where two
// tabs needed a token — and the rotated refresh token is never sent twice.
describe('public client in two tabs', () => {
  let peer: ProviderPeer;
  let site: Awaited<ReturnType<typeof startStaticServer>>;
  let api: Awaited<ReturnType<typeof startEchoApi>>;
  let browser: Browser;
  let origin: string;
  /** Token requests the provider received, counted at the provider. */
  let tokenRequests = 0;

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
    peer = await startProviderPeer({
      redirectUri: `${origin}/unused-confidential-callback`,
      publicClient: { clientId: 'spa', redirectUri: `${origin}/app.html` },
      onRequest: (method, path) => {
        if (method === 'POST' && path === '/token') tokenRequests += 1;
      },
    });
    Object.assign(documents, {
      '/config.json': {
        issuer: peer.issuer,
        clientId: 'spa',
        api: `http://localhost:${api.port}`,
        foreign: `http://127.0.0.1:${api.port}`,
        // Larger than the provider's token lifetime: every request for a token renews it.
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
  });

  async function signIn(page: Page) {
    await page.goto(`${origin}/app.html`);
    await expect.poll(() => page.textContent('#status')).toBe('signed out');
    await page.click('#login');
    await page.waitForURL(`${peer.issuer}/interaction/**`);
    await page.fill('input[name=login]', 'bob');
    await page.fill('input[name=password]', 'any password');
    await page.click('button[type=submit]');
    await page.waitForURL(/\/interaction\/|localhost/);
    if (page.url().startsWith(peer.issuer)) await page.click('button[type=submit]'); // consent
    await page.waitForURL(`${origin}/app.html`);
    await expect.poll(() => page.textContent('#status')).toBe('signed in as bob');
  }

  async function signInNewPage(context: BrowserContext) {
    const page = await context.newPage();
    await signIn(page);
    return page;
  }

  const requestToken = (page: Page) =>
    page.evaluate(
      'window.gatehouse.requestAccessToken().then((result) => result.status === "ok" ? result.accessToken : result.status)',
    ) as Promise<string>;

  it('a second tab starts signed in, and two tabs renewing at once hit the token endpoint once', async () => {
    const context = await browser.newContext();
    const first = await context.newPage();
    await signIn(first);
    const second = await context.newPage();
    await second.goto(`${origin}/app.html`);
    // No sign-in in this tab, no request to the provider: the first tab's tokens, memory to memory.
    const beforeSecond = tokenRequests;
    await expect.poll(() => second.textContent('#status')).toBe('signed in as bob');
    expect(tokenRequests).toBe(beforeSecond);

    // Hold the first tab's refresh at the token endpoint until the second tab is waiting for the lock.
    let held = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    await context.route(`${peer.issuer}/token`, async (route) => {
      held += 1;
      await gate;
      await route.continue();
    });
    const before = tokenRequests;
    const firstToken = requestToken(first);
    await expect.poll(() => held).toBe(1);
    const secondToken = requestToken(second);
    await expect
      .poll(() => second.evaluate('navigator.locks.query().then(({ pending }) => pending.map((lock) => lock.name))'))
      .toEqual(['gatehouse-renew:spa']);
    release();
    const [one, two] = await Promise.all([firstToken, secondToken]);
    expect(one).toMatch(/^\S{20,}$/);
    expect(two).toBe(one); // the tab that waited took the other's renewed token
    expect(held).toBe(1);
    expect(tokenRequests - before).toBe(1);

    // Both tabs go on with the rotated refresh token: another renewal in the second tab works.
    await context.unroute(`${peer.issuer}/token`);
    const third = await requestToken(second);
    expect(third).toMatch(/^\S{20,}$/);
    expect(third).not.toBe(one);
    await expect.poll(() => requestToken(first)).not.toBe('redirect');
    await context.close();
  }, 90_000);

  it('a page of another origin listening on the tabs’ channel hears no token, while a tab of the app does', async () => {
    const context = await browser.newContext();
    const first = await signInNewPage(context);
    // Listens on the channel the tabs use, asks as a new tab would, and collects what it hears.
    const listen = `window.heard = []; const channel = new BroadcastChannel('gatehouse:spa');
      channel.onmessage = (event) => window.heard.push(event.data); channel.postMessage({ type: 'gatehouse-tokens-asked' });`;
    const sameOrigin = await context.newPage();
    await sameOrigin.goto(`${origin}/blank.html`); // a page of the app's origin, not the app
    const foreign = await context.newPage();
    await foreign.goto(`http://127.0.0.1:${site.port}/blank.html`); // another origin, same server
    await foreign.evaluate(listen);
    await sameOrigin.evaluate(listen);
    // The control: a listener of the app's own origin is answered, and hears a renewal.
    await expect
      .poll(() => sameOrigin.evaluate('window.heard.map((message) => message.type)'))
      .toEqual(['gatehouse-tokens-answered']);
    expect(await requestToken(first)).toMatch(/^\S{20,}$/);
    await expect.poll(() => sameOrigin.evaluate('window.heard.length')).toBe(2);
    // By then the other origin's listener has heard nothing: BroadcastChannel is per origin.
    expect(await foreign.evaluate('window.heard')).toEqual([]);
    await context.close();
  }, 60_000);

  it('a sign-out in one tab signs the other out too', async () => {
    const context = await browser.newContext();
    const first = await context.newPage();
    await signIn(first);
    const second = await context.newPage();
    await second.goto(`${origin}/app.html`);
    await expect.poll(() => second.textContent('#status')).toBe('signed in as bob');
    await first.click('#logout');
    await expect.poll(() => second.textContent('#status')).toBe('signed out');
    await context.close();
  }, 60_000);
});
