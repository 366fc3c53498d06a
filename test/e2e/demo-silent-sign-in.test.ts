import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';
import { type RunningDemo, signInAtProvider, startDemo } from './demo.js';

// The demo SPA on `gatehouse dev`, in Chromium: the silent sign-in it tries once on load (both
// outcomes), the route guard on a signed-in-only page, and state passed through sign-out.
describe('demo SPA: silent sign-in, route guard and state across sign-out (Chromium)', () => {
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

  /** Every top-level URL the page requested, redirect hops included, in order. */
  function recordNavigations(page: Page): string[] {
    const seen: string[] = [];
    page.on('request', (request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) seen.push(request.url());
    });
    return seen;
  }

  it('a first visit with no provider session tries silently once and stays, signed out, on the page it asked for', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const navigations = recordNavigations(page);
    await page.goto(`${demo.bffOrigin}/weather?city=oslo`);
    await page.getByTestId('sign-in').waitFor();
    expect(new URL(page.url()).pathname).toBe('/weather');
    expect(new URL(page.url()).search).toBe('?city=oslo');
    // It went to the provider with prompt=none, once, and never showed a login or login-failed page.
    const atProvider = navigations.filter((url) => url.startsWith(demo.issuer));
    expect(atProvider.length).toBe(1);
    expect(new URL(atProvider[0] as string).searchParams.get('prompt')).toBe('none');
    expect(navigations.some((url) => url.startsWith(`${demo.bffOrigin}/bff/callback?error=login_required`))).toBe(true);
    expect(navigations.some((url) => url.includes('/login-failed') || url.startsWith(`${demo.issuer}/login`))).toBe(
      false,
    );
    // A reload does not go round again: once per tab.
    const before = navigations.length;
    await page.reload();
    await page.getByTestId('sign-in').waitFor();
    expect(navigations.slice(before).filter((url) => url.startsWith(demo.issuer))).toEqual([]);
    await context.close();
  });

  it('a signed-in-only page signs the visitor in and comes back to it; a lost BFF session comes back silently', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${demo.bffOrigin}/profile`);
    // The silent try finds no provider session; the route guard then asks for a real sign-in.
    await signInAtProvider(page, demo, 'allow');
    await page.waitForURL((url) => url.origin === demo.bffOrigin && url.pathname === '/profile');
    await page.getByTestId('user-name').waitFor();

    // The BFF session goes (a restart with a memory store, an idle limit); the provider's stays.
    await context.clearCookies({ name: '__Host-gh-session' });
    const navigations = recordNavigations(page);
    await page.goto(`${demo.bffOrigin}/todos`);
    await page.getByTestId('user-name').waitFor();
    expect(new URL(page.url()).pathname).toBe('/todos');
    expect(navigations.some((url) => url.startsWith(`${demo.issuer}/login`))).toBe(false);
    expect(navigations.some((url) => url.includes('prompt=none'))).toBe(true);
    await context.close();
  });

  it('signing out from a page hands that page to the logged-out route, and no silent sign-in undoes the sign-out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${demo.bffOrigin}/`);
    await page.getByTestId('sign-in').click();
    await signInAtProvider(page, demo, 'allow');
    await page.getByTestId('user-name').waitFor();
    await page.getByTestId('nav-weather').click();
    await page.waitForURL((url) => url.pathname === '/weather');
    await page.getByTestId('sign-out').click();
    await page.getByTestId('logged-out-message').waitFor();
    expect(await page.getByTestId('sign-in-again').getAttribute('data-return-url')).toBe('/weather');
    // Home after sign-out: still signed out, no trip to the provider.
    const navigations = recordNavigations(page);
    await page.goto(`${demo.bffOrigin}/`);
    await page.getByTestId('sign-in').waitFor();
    expect(navigations.some((url) => url.startsWith(demo.issuer))).toBe(false);
    await context.close();
  });
});
