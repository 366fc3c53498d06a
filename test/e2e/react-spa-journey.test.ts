import { freePort } from '@gatehouse/test-kit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExample, start } from '../../examples/react-spa/server.js';
import { launchChromium } from './chromium.js';

// examples/react-spa as a reader runs it: Vite builds the React app, the BFF serves it and signs in at
// a real Gatehouse authorization server, the demo API sits behind the BFF's proxy. Driven in Chromium
// through the provider's real login and consent pages.
describe('React SPA example (@gatehouse/react over the BFF) in Chromium', () => {
  let browser: Browser;
  let example: RunningExample;

  beforeAll(async () => {
    example = await start({ port: await freePort(), asPort: await freePort(), apiPort: await freePort() });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await example?.stop();
  });

  /** Signs in on the Gatehouse login page, then allows on its consent page if one is shown. */
  async function signInAtProvider(page: Page) {
    await page.waitForURL((url) => url.origin === example.issuer);
    await page.fill('#email', example.email);
    await page.fill('#password', example.password);
    await page.click('button[type="submit"]');
    const asked = await Promise.race([
      page.waitForSelector('button[value="allow"]').then(
        () => true,
        () => false,
      ),
      page
        .waitForURL((url) => url.origin !== example.issuer)
        .then(
          () => false,
          () => false,
        ),
    ]);
    if (asked) await page.click('button[value="allow"]');
  }

  it('a protected route signs in and comes back, shows the user, calls the API through useAuthorizedFetch, signs out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const appOrigin = new URL(example.url).origin;
    try {
      await page.goto(example.url);
      await expect.poll(() => page.textContent('#status')).toBe('signed out');

      // <RequireAuth> on /todos: a signed-out visit goes to the provider and back to /todos.
      await page.click('a[href="/todos"]');
      await signInAtProvider(page);
      await page.waitForURL(`${appOrigin}/todos`);
      await expect.poll(() => page.textContent('#status')).toBe('signed in as Alice');
      await expect.poll(() => page.locator('#todos li').count()).toBe(0);

      // useAuthorizedFetch(): POST and GET /api/todos through the BFF, which attaches the token.
      await page.fill('#draft', 'buy milk');
      await page.click('#add');
      await expect.poll(() => page.textContent('#todos')).toBe('buy milk');
      await page.reload();
      await expect.poll(() => page.textContent('#todos')).toBe('buy milk'); // stored by the API for Alice

      // The page holds no token: nothing in storage, no cookie a script can read.
      expect(await page.evaluate('document.cookie')).toBe('');
      const storage = String(await page.evaluate('JSON.stringify({ ...localStorage, ...sessionStorage })'));
      expect(storage).not.toMatch(/eyJ|access_token|refresh_token/);

      // The session ends under the page (the cookie gone): the next call is a LoginRequiredError whose
      // redirect keeps the draft; the provider still knows Alice, so she comes back without a login page.
      await context.clearCookies({ domain: 'localhost', name: '__Host-gh-session' });
      await page.fill('#draft', 'unsaved draft');
      const visited: string[] = [];
      page.on('framenavigated', (frame) => visited.push(frame.url()));
      await page.click('#add');
      await expect.poll(() => visited.some((url) => url.startsWith(`${appOrigin}/todos?gh-state=`))).toBe(true);
      await expect.poll(() => page.inputValue('#draft')).toBe('unsaved draft');
      expect(page.url()).toBe(`${appOrigin}/todos`); // the state id left the address bar
      await expect.poll(() => page.textContent('#status')).toBe('signed in as Alice');

      await page.click('#sign-out');
      await page.waitForURL(`${appOrigin}/authentication/logged-out`);
      await expect.poll(() => page.textContent('#auth-message')).toBe('You are signed out.');
      await page.goto(example.url);
      await expect.poll(() => page.textContent('#status')).toBe('signed out');
    } finally {
      await context.close();
    }
  }, 90_000);

  it('a phisher’s link to the login route with a foreign returnUrl signs in and lands on the app, never on the phisher’s site', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const appOrigin = new URL(example.url).origin;
    const visited: string[] = [];
    page.on('request', (request) => visited.push(request.url()));
    try {
      for (const returnUrl of ['//evil.example/steal', 'https://evil.example/steal', '/\\evil.example/steal']) {
        await page.goto(`${appOrigin}/authentication/login?returnUrl=${encodeURIComponent(returnUrl)}`);
        if (returnUrl === '//evil.example/steal') await signInAtProvider(page);
        await page.waitForURL(`${appOrigin}/`);
        await expect.poll(() => page.textContent('#status')).toBe('signed in as Alice');
      }
      expect(visited.filter((url) => url.includes('evil.example') && !url.includes('returnUrl'))).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);
});
