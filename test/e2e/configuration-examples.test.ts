import { freePort } from '@gatehouse/test-kit';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start as startExchangeExample } from '../../examples/exchange-long-lived/server.js';
import { start as startOneTimeCodeExample } from '../../examples/one-time-code/server.js';
import { start as startTokenMediatingExample } from '../../examples/token-mediating-bff/server.js';
import { launchChromium } from './chromium.js';

// The runnable examples of configurations 2, 3 and 5 (docs/choosing-a-configuration.md), each started
// as a reader starts it (its own provider, demo API and app in this process, on free ports) and driven
// in Chromium through the provider's real login and consent pages.
describe('configuration examples in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
  });

  async function freePorts() {
    return { port: await freePort(), asPort: await freePort(), apiPort: await freePort() };
  }

  /** A fresh profile that records every URL the page requests. */
  async function freshPage(): Promise<{ context: BrowserContext; page: Page; urls: string[] }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const urls: string[] = [];
    page.on('request', (request) => urls.push(request.url()));
    return { context, page, urls };
  }

  /** Signs in on the Gatehouse login page, then allows on its consent page if one is shown. */
  async function signInAtProvider(page: Page, example: { issuer: string; email: string; password: string }) {
    await page.waitForURL((url) => url.origin === example.issuer);
    await page.fill('#email', example.email);
    await page.fill('#password', example.password);
    await page.click('button[type="submit"]');
    // The losing wait is left pending; it must not turn into an unhandled rejection when the page closes.
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

  /** Everything scripts or the cookie jar keep, as one string to search. */
  async function persistedState(page: Page, context: BrowserContext): Promise<string> {
    const storage = String(
      await page.evaluate('JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } })'),
    );
    return JSON.stringify({ storage, cookies: await context.cookies() });
  }

  function postForm(url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields),
    });
  }

  it('2: the server exchanges its token for a long-lived one and hands it to the page, which calls the API', async () => {
    const example = await startExchangeExample(await freePorts());
    const { context, page, urls } = await freshPage();
    try {
      await page.goto(example.url);
      await expect.poll(() => page.textContent('#status')).toBe('signed out');

      const handoff = page.waitForResponse((response) => response.url().endsWith('/handoff') && response.ok());
      await page.click('#login');
      await signInAtProvider(page, example);
      await page.waitForURL(example.url);
      await expect.poll(() => page.textContent('#status')).toBe('signed in: the token lasts 60 days');
      const given = (await (await handoff).json()) as Record<string, unknown>;
      expect(Object.keys(given).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
      expect((await handoff).headers()['cache-control']).toBe('no-store');
      const token = given.access_token as string;

      // The provider says how long the token lives: longLivedTokenTtlSeconds, not the 5-minute accessTokenTtlSeconds.
      const basic = Buffer.from(`${example.client.client_id}:${example.client.client_secret}`).toString('base64');
      const introspection = await postForm(
        `${example.issuer}/introspect`,
        { token },
        { authorization: `Basic ${basic}` },
      );
      const claims = (await introspection.json()) as { active: boolean; exp: number; iat: number; scope: string };
      expect(claims).toMatchObject({ active: true, scope: 'api' });
      expect(claims.exp - claims.iat).toBe(example.longLivedTokenTtlSeconds);
      expect(claims.exp - claims.iat).toBeGreaterThan(100 * example.accessTokenTtlSeconds);

      await page.click('#call');
      await expect.poll(() => page.textContent('#out')).toMatch(/^200 \[/);

      // The token is in the page's memory only: not stored, not in a cookie, never in a URL.
      expect(await persistedState(page, context)).not.toContain(token);
      expect(await page.evaluate('document.cookie')).toBe('');
      expect(urls.filter((url) => url.includes(token))).toEqual([]);

      // Handed over once: the server no longer has it, so a reload is signed out; signing in again needs
      // no password while the provider's session lasts, and gives a new token.
      await page.reload();
      await expect.poll(() => page.textContent('#status')).toBe('signed out');
      const again = page.waitForResponse((response) => response.url().endsWith('/handoff') && response.ok());
      await page.click('#login');
      await page.waitForURL(example.url);
      await expect.poll(() => page.textContent('#status')).toBe('signed in: the token lasts 60 days');
      expect(((await (await again).json()) as { access_token: string }).access_token).not.toBe(token);
    } finally {
      await context.close();
      await example.stop();
    }
  }, 30_000);

  it('3: the page redeems a one-time code for the long-lived token, calls the API, and the code is spent', async () => {
    const example = await startOneTimeCodeExample(await freePorts());
    const { context, page, urls } = await freshPage();
    try {
      await page.goto(example.url);
      await expect.poll(() => page.textContent('#status')).toBe('signed out');

      const callback = page.waitForResponse((response) => response.url().startsWith(`${example.url}callback?`));
      const redemption = page.waitForResponse((response) => response.url() === `${example.issuer}/token`);
      await page.click('#login');
      await signInAtProvider(page, example);
      // The server's answer carries only a code, in the fragment.
      const location = new URL((await callback).headers().location as string, example.url);
      const code = new URLSearchParams(location.hash.slice(1)).get('one_time_code') as string;
      expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(location.search).toBe('');

      await expect.poll(() => page.textContent('#status')).toBe('signed in: the token lasts 60 days');
      expect(page.url()).toBe(example.url); // the code left the address bar
      const redeemed = (await (await redemption).json()) as Record<string, unknown>;
      expect(Object.keys(redeemed).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
      expect(redeemed.expires_in).toBeGreaterThan(100 * example.accessTokenTtlSeconds);
      const token = redeemed.access_token as string;

      await page.click('#call');
      await expect.poll(() => page.textContent('#out')).toMatch(/^200 \[/);

      // Single use: a second redemption of the same code, by the right client, is refused.
      const replay = await postForm(`${example.issuer}/token`, {
        grant_type: 'urn:gatehouse:params:oauth:grant-type:one-time-code',
        code,
        client_id: example.browserClientId,
      });
      expect(replay.status).toBe(400);
      expect(((await replay.json()) as { error: string }).error).toBe('invalid_grant');

      expect(await persistedState(page, context)).not.toContain(token);
      expect(await persistedState(page, context)).not.toContain(code);
      expect(urls.filter((url) => url.includes(token) || url.includes(code))).toEqual([]);
    } finally {
      await context.close();
      await example.stop();
    }
  }, 30_000);

  it('5: the page calls one route through the BFF and the API directly with a token from /bff/token', async () => {
    const example = await startTokenMediatingExample(await freePorts());
    const { context, page, urls } = await freshPage();
    const bodies: string[] = [];
    page.on('response', (response) => {
      response.text().then(
        (body) => bodies.push(body),
        () => undefined, // redirects have no body
      );
    });
    try {
      await page.goto(example.url);
      await expect.poll(() => page.textContent('#status')).toBe('signed out');
      await page.click('#login');
      await signInAtProvider(page, example);
      await page.waitForURL(example.url);
      await expect.poll(() => page.textContent('#status')).toBe('signed in as Alice');
      const session = (await context.cookies(example.url)).find((cookie) => cookie.name === '__Host-gh-session');
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

      // Proxied: the cookie (and the SDK's x-csrf header) is all the page sends.
      await page.click('#proxied');
      await expect.poll(() => page.textContent('#out')).toBe('200 []');

      // Direct, cross-origin: with the mediated token, which is short-lived and comes alone.
      const mediated = page.waitForResponse((response) => response.url().startsWith(`${example.url}bff/token`));
      await page.click('#direct');
      await expect.poll(() => page.textContent('#out')).toMatch(/^200 \[/);
      const answer = await mediated;
      expect(answer.headers()['cache-control']).toBe('no-store');
      const given = (await answer.json()) as Record<string, unknown>;
      expect(Object.keys(given).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
      expect(given).toMatchObject({ token_type: 'Bearer', scope: 'api' });
      expect(given.expires_in).toBeLessThanOrEqual(example.accessTokenTtlSeconds);
      const token = given.access_token as string;

      // Without the token the API refuses the same call.
      await page.click('#direct-without-token');
      await expect.poll(() => page.textContent('#out')).toMatch(/^401 /);

      // No refresh or ID token ever reached the page; the access token stayed in memory.
      expect(bodies.length).toBeGreaterThan(3);
      for (const body of bodies) expect(body).not.toMatch(/"(refresh|id)_token"/);
      expect(await persistedState(page, context)).not.toContain(token);
      expect(await page.evaluate('document.cookie')).toBe('');
      expect(urls.filter((url) => url.includes(token))).toEqual([]);
    } finally {
      await context.close();
      await example.stop();
    }
  }, 30_000);
});
