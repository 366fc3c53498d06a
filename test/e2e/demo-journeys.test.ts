import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';
import {
  answerConsent,
  type RunningDemo,
  registerAtProvider,
  screenshots,
  signInAtProvider,
  startDemo,
} from './demo.js';

/** A JWT, or a JSON member that names a token: nothing like this may reach the page in BFF mode. */
const tokenPattern = /eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.|"(access|refresh|id)_token"/;

// The six journeys of the demo, each on `gatehouse dev` started as a user starts it, in Chromium.
describe('demo journeys in Chromium (gatehouse dev)', () => {
  let demo: RunningDemo;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    demo = await startDemo();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  /** A fresh browser profile that records every response body the page receives. */
  async function freshPage() {
    const context: BrowserContext = await browser.newContext();
    const page = await context.newPage();
    const bodies: string[] = [];
    page.on('response', (response: Response) => {
      const type = response.headers()['content-type'] ?? '';
      if (/json|text|javascript/.test(type) && response.status() < 300) {
        response.text().then(
          (body) => bodies.push(body),
          () => undefined,
        );
      }
    });
    return { context, page, bodies };
  }

  async function signIn(page: Page, shot: (page: Page, name: string) => Promise<void>) {
    await page.goto(`${demo.bffOrigin}/`);
    await page.getByTestId('sign-in').click();
    await page.waitForURL((url) => url.origin === demo.issuer);
    await shot(page, 'login');
    await signInAtProvider(page, demo, 'allow');
    await page.waitForURL((url) => url.origin === demo.bffOrigin);
    await page.getByTestId('user-name').waitFor();
  }

  it('1 + 5: signs in through login and consent, uses weather and todos, survives a reload, signs out; no token ever reaches the page', async () => {
    const shot = screenshots('1-sign-in-todos-sign-out');
    const { context, page, bodies } = await freshPage();
    await signIn(page, shot);
    expect(await page.getByTestId('user-name').textContent()).toContain('Demo User');
    await shot(page, 'home');

    await page.getByTestId('nav-weather').click();
    await page.getByTestId('weather-row').first().waitFor();
    expect(await page.getByTestId('weather-row').count()).toBeGreaterThan(0);
    await shot(page, 'weather');

    await page.getByTestId('nav-todos').click();
    await page.getByTestId('todo-title').fill('Write the closing note');
    await page.getByTestId('todo-add').click();
    const item = page.getByTestId('todo-item').filter({ hasText: 'Write the closing note' });
    await item.waitFor();
    expect(await page.getByTestId('todo-custom-header').textContent()).toContain('demo');
    await item.getByTestId('todo-done').click();
    await page.waitForSelector('[data-testid="todo-item"][data-done="true"]');
    await shot(page, 'todos');
    await item.getByTestId('todo-delete').click();
    await item.waitFor({ state: 'detached' });

    await page.reload();
    await page.getByTestId('user-name').waitFor();
    await shot(page, 'after-reload');

    await page.getByTestId('sign-out').click();
    await page.getByTestId('logged-out-message').waitFor();
    await shot(page, 'logged-out');
    const user = await page.evaluate(async () => (await fetch('/bff/user', { headers: { 'x-csrf': '1' } })).status);
    expect(user).toBe(401);
    // The provider's session ended too: its profile page asks for a sign-in again.
    await page.goto(`${demo.issuer}/profile`);
    await page.waitForURL(`${demo.issuer}/login`);

    // Journey 5: nothing the page could read holds a token.
    const storage = String(await page.evaluate('JSON.stringify({ ...localStorage, ...sessionStorage })'));
    await page.goto(`${demo.bffOrigin}/`);
    const appStorage = String(
      await page.evaluate('JSON.stringify({ ...localStorage, ...sessionStorage, cookie: document.cookie })'),
    );
    expect(storage).not.toMatch(tokenPattern);
    expect(appStorage).not.toMatch(tokenPattern);
    expect(appStorage).not.toContain('gh-session');
    expect(bodies.length).toBeGreaterThan(5);
    for (const body of bodies) expect(body).not.toMatch(tokenPattern);
    await context.close();
  });

  it('3: restores unsaved profile input after a forced re-login', async () => {
    const shot = screenshots('3-profile-restored');
    const { context, page } = await freshPage();
    await signIn(page, shot);
    await page.getByTestId('nav-profile').click();
    await page.getByTestId('profile-display-name').waitFor();
    await page.getByTestId('profile-display-name').fill('Demo, renamed');
    await page.getByTestId('profile-bio').fill('Typed before the session ended');
    // The BFF session ends behind the page's back (as when it times out).
    await page.evaluate(async () => {
      await fetch('/bff/logout', { method: 'POST', headers: { 'x-csrf': '1', accept: 'application/json' } });
    });
    await page.getByTestId('profile-save').click();
    // The provider still knows the user: the re-login needs no form, and ends back on the profile.
    await page.waitForSelector('[data-testid="profile-status"][data-kind="restored"]');
    expect(new URL(page.url()).pathname).toBe('/profile');
    expect(await page.getByTestId('profile-display-name').inputValue()).toBe('Demo, renamed');
    expect(await page.getByTestId('profile-bio').inputValue()).toBe('Typed before the session ended');
    expect(await page.getByTestId('profile-status').textContent()).toMatch(/restored/i);
    await shot(page, 'restored');
    await page.getByTestId('profile-save').click();
    await page.waitForSelector('[data-testid="profile-status"][data-kind="saved"]');
    await page.reload();
    await page.getByTestId('profile-display-name').waitFor();
    await expect.poll(() => page.getByTestId('profile-display-name').inputValue()).toBe('Demo, renamed');
    await context.close();
  });

  it('4: the backend-less page signs in, calls the API with its token, and never sends it to another origin', async () => {
    const shot = screenshots('4-public-client');
    const { context, page } = await freshPage();
    const authorizations = new Map<string, string | undefined>();
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/weatherforecast') authorizations.set(url.origin, request.headers().authorization);
    });
    await page.goto(`${demo.bffOrigin}/public-client.html`);
    await page.getByTestId('public-sign-in').click();
    await signInAtProvider(page, demo, 'none');
    await page.waitForURL((url) => url.origin === demo.bffOrigin);
    await page.getByTestId('public-user').waitFor();
    await shot(page, 'signed-in');
    await page.getByTestId('public-call-api').click();
    await expect.poll(() => page.getByTestId('public-result').textContent()).toMatch(/temperature|summary|date/i);
    expect(authorizations.get(demo.apiUrl)).toMatch(/^Bearer eyJ/);
    await page.getByTestId('public-call-foreign').click();
    await expect.poll(() => page.getByTestId('public-foreign-result').textContent()).toMatch(/401/);
    const foreignOrigin = [...authorizations.keys()].find((origin) => origin !== demo.apiUrl);
    expect(foreignOrigin).toBeDefined();
    expect(authorizations.get(foreignOrigin as string)).toBeUndefined();
    // Tokens live in memory only.
    const storage = String(
      await page.evaluate('JSON.stringify({ ...localStorage, ...sessionStorage, cookie: document.cookie })'),
    );
    expect(storage).not.toMatch(/eyJ[A-Za-z0-9_-]{5,}\./);
    await shot(page, 'api-called');
    await context.close();
  });

  it('4b: the backend-less page signs in again after a reload through a hidden frame, and says login_required without a session', async () => {
    const shot = screenshots('4b-silent-sign-in');
    const { context, page } = await freshPage();
    await page.goto(`${demo.bffOrigin}/public-client.html`);
    // No provider session yet: the frame comes back with login_required, and nothing is shown.
    await page.getByTestId('public-silent-sign-in').click();
    await expect.poll(() => page.getByTestId('public-silent-result').textContent()).toMatch(/login_required/);
    await page.getByTestId('public-sign-in').click();
    await signInAtProvider(page, demo, 'none');
    await page.waitForURL((url) => url.origin === demo.bffOrigin);
    await expect.poll(() => page.getByTestId('public-user').textContent()).toContain('Demo User');
    // Tokens live in memory: a reload forgets them; the hidden frame gets new ones without a navigation.
    await page.reload();
    await page.getByTestId('public-silent-sign-in').waitFor();
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url());
    });
    await page.getByTestId('public-silent-sign-in').click();
    await expect.poll(() => page.getByTestId('public-user').textContent()).toContain('Demo User');
    expect(await page.getByTestId('public-silent-result').textContent()).toMatch(/signed in silently/i);
    expect(navigations).toEqual([]);
    expect(new URL(page.url()).search).toBe('');
    await page.getByTestId('public-call-api').click();
    await expect.poll(() => page.getByTestId('public-result').textContent()).toMatch(/temperature|summary|date/i);
    await shot(page, 'silent');
    await context.close();
  });

  it('7: schedules a post, signs out, and a worker publishes it with the offline grant', async () => {
    const shot = screenshots('7-offline-schedule');
    const { context, page } = await freshPage();
    await signIn(page, shot);
    await page.getByTestId('nav-schedule').click();
    await page.waitForSelector('[data-testid="offline-status"][data-granted="false"]');
    await page.getByTestId('offline-allow').click();
    // The provider asks again, naming offline access.
    await page.waitForURL((url) => url.origin === demo.issuer);
    expect(await page.textContent('body')).toMatch(/not using the app/i);
    await page.click('button[value="allow"]');
    await page.waitForSelector('[data-testid="offline-status"][data-granted="true"]');
    await page.getByTestId('schedule-text').fill('Posted while away');
    await page.getByTestId('schedule-delay').fill('2');
    await page.getByTestId('schedule-add').click();
    await page.waitForSelector('[data-testid="scheduled-item"][data-status="scheduled"]');
    await shot(page, 'scheduled');
    await page.getByTestId('sign-out').click();
    await page.getByTestId('logged-out-message').waitFor();
    // The worker runs every second; the post is due two seconds after it was scheduled.
    await page.waitForTimeout(4_000);
    await page.getByTestId('sign-in').click();
    await signInAtProvider(page, demo, 'allow');
    await page.getByTestId('user-name').waitFor();
    await page.getByTestId('nav-schedule').click();
    await page.waitForSelector('[data-testid="scheduled-item"][data-status="published"]');
    expect(await page.getByTestId('published-item').filter({ hasText: 'Posted while away' }).count()).toBe(1);
    await shot(page, 'published');
    await context.close();
  });

  it('8: "Continue with Example Social" signs in through the upstream, and the Social page shows upstream data through the BFF', async () => {
    const shot = screenshots('8-continue-with-example-social');
    const { context, page, bodies } = await freshPage();
    const upstreamTraffic: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(demo.upstreamUrl)) upstreamTraffic.push(request.url());
    });
    await page.goto(`${demo.bffOrigin}/`);
    await page.getByTestId('sign-in').click();
    await page.waitForURL((url) => url.origin === demo.issuer);
    await page.getByRole('button', { name: 'Continue with Example Social' }).click();
    await page.waitForURL((url) => url.origin === demo.upstreamUrl);
    await shot(page, 'example-social-consent');
    await page.click('button[name="user"][value="1001"]');
    await answerConsent(page, demo, 'allow');
    await page.waitForURL((url) => url.origin === demo.bffOrigin);
    await page.getByTestId('user-name').waitFor();
    expect(await page.getByTestId('user-name').textContent()).toContain('Sam Social');
    await shot(page, 'home');

    await page.getByTestId('nav-social').click();
    await page.getByTestId('social-post').first().waitFor();
    expect(await page.getByTestId('social-name').textContent()).toContain('Sam Social');
    expect(await page.getByTestId('social-post').count()).toBeGreaterThan(0);
    await shot(page, 'social-page');
    // The page talked to Example Social only while signing in (its consent page), never for the API:
    // the data came through the BFF, and no response the page received carried a token.
    expect(upstreamTraffic.every((url) => new URL(url).pathname.startsWith('/oauth/'))).toBe(true);
    for (const body of bodies) expect(body).not.toMatch(tokenPattern);
    await context.close();
  });

  it('6: access_denied at the consent page lands on the login-failed view with a readable message', async () => {
    const shot = screenshots('6-access-denied');
    const { context, page } = await freshPage();
    await page.goto(`${demo.bffOrigin}/`);
    await page.getByTestId('sign-in').click();
    // A new account (registered on the provider's page) has consented to nothing yet.
    await registerAtProvider(page, demo, {
      name: 'Dana Declines',
      email: `dana-${Date.now()}@example.com`,
      password: 'a passphrase Dana will not forget',
    });
    expect(await answerConsent(page, demo, 'deny')).toBe(true);
    await page.waitForURL((url) => url.pathname === '/authentication/login-failed');
    await page.getByTestId('login-failed-message').waitFor();
    expect(await page.getByTestId('login-failed-message').textContent()).toMatch(/declined|denied|did not allow/i);
    expect(new URL(page.url()).searchParams.get('error')).toBe('access_denied');
    await shot(page, 'login-failed');
    const user = await page.evaluate(async () => (await fetch('/bff/user', { headers: { 'x-csrf': '1' } })).status);
    expect(user).toBe(401);
    await context.close();
  });
});

describe('demo journey with short-lived tokens (gatehouse dev --access-token-ttl 30)', () => {
  let demo: RunningDemo;
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
    demo = await startDemo(['--access-token-ttl', '30']);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('2: API calls keep working after the access token expires, through silent refresh', async () => {
    const shot = screenshots('2-token-expiry');
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${demo.bffOrigin}/`);
    await page.getByTestId('sign-in').click();
    await signInAtProvider(page, demo, 'allow');
    await page.getByTestId('user-name').waitFor();
    await page.getByTestId('nav-weather').click();
    await page.getByTestId('weather-row').first().waitFor();
    // Past the 30 s lifetime of the first access token.
    await page.waitForTimeout(32_000);
    await page.getByTestId('nav-todos').click();
    await page.getByTestId('todo-title').fill('Added after expiry');
    await page.getByTestId('todo-add').click();
    await page.getByTestId('todo-item').filter({ hasText: 'Added after expiry' }).waitFor();
    expect(await page.getByTestId('page-error').count()).toBe(0);
    await shot(page, 'after-expiry');
    await context.close();
  }, 90_000);
});
