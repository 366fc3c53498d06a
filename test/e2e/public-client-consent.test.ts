import { join } from 'node:path';
import { demoUser, type RunningAuthorizationServer, startAuthorizationServer } from '@gatehouse/test-kit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';
import { startEchoApi, startStaticServer } from './static-server.js';

// Incremental consent against our own authorization server: the backend-less SPA asks for a scope it
// was never granted, the provider asks the user about it (and nothing is lost of what was granted),
// and the app comes back with its state.
describe('public client incremental consent with the Gatehouse authorization server', () => {
  let provider: RunningAuthorizationServer;
  let site: Awaited<ReturnType<typeof startStaticServer>>;
  let api: Awaited<ReturnType<typeof startEchoApi>>;
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
    provider = await startAuthorizationServer({
      clients: [
        {
          client_id: 'spa',
          client_name: 'Backend-less SPA',
          redirect_uris: [`${origin}/app.html`],
          post_logout_redirect_uris: [`${origin}/`],
          grant_types: ['authorization_code', 'refresh_token'],
          token_endpoint_auth_method: 'none',
          scope: 'openid profile email offline_access',
          allowed_cors_origins: [origin],
        },
      ],
    });
    Object.assign(documents, {
      '/config.json': {
        issuer: provider.issuer,
        clientId: 'spa',
        api: `http://localhost:${api.port}`,
        foreign: `http://127.0.0.1:${api.port}`,
        renewalMarginSeconds: 60,
      },
    });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await provider?.close();
    await site?.stop();
    await api?.stop();
  });

  /** Whether the provider showed its consent page (then allowed), before the app's page came back. */
  async function allowIfAsked(page: Page): Promise<boolean> {
    const asked = await Promise.race([
      page.waitForSelector('button[value="allow"]').then(() => true),
      page.waitForURL(`${origin}/app.html`).then(() => false),
    ]);
    if (asked) await page.click('button[value="allow"]');
    await page.waitForURL(`${origin}/app.html`);
    return asked;
  }

  it('asks the user about the scope never granted, keeps the granted ones, and restores the app state', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/app.html`);
    await page.click('#login');
    await page.waitForURL((url) => url.origin === provider.issuer);
    await page.fill('#email', demoUser.email);
    await page.fill('#password', demoUser.password);
    await page.click('button[type="submit"]');
    expect(await allowIfAsked(page)).toBe(true); // the first consent: openid profile offline_access
    await expect.poll(() => page.textContent('#status')).toMatch(/^signed in as /);

    const [authorize] = await Promise.all([
      page.waitForRequest((request) => request.url().startsWith(`${provider.issuer}/authorize?`)),
      page.click('#consent'),
    ]);
    const asked = new URL(authorize.url()).searchParams;
    expect(asked.get('scope')?.split(' ').sort()).toEqual(['email', 'offline_access', 'openid', 'profile']);
    expect(asked.get('prompt')).toBeNull();
    // Signed in at the provider already: no login page, only the consent `email` was missing.
    expect(await allowIfAsked(page)).toBe(true);
    await expect.poll(() => page.textContent('#restored')).toBe('restored: missing email');

    await page.click('#consent');
    await expect.poll(() => page.textContent('#out')).toBe('token for: email');
    const all = (await page.evaluate(
      'window.gatehouse.requestAccessToken().then((result) => result.scopes)',
    )) as string[];
    expect([...all].sort()).toEqual(['email', 'offline_access', 'openid', 'profile']);

    // Consent is now remembered for every one of them: the same request needs no page at all.
    await page.evaluate(
      'window.gatehouse.signIn({ returnUrl: "/app.html", scopes: ["openid", "profile", "offline_access", "email"] })',
    );
    expect(await allowIfAsked(page)).toBe(false);
    await expect.poll(() => page.textContent('#status')).toMatch(/^signed in as /);
    await context.close();
  }, 60_000);
});
