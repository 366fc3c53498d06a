import { randomBytes } from 'node:crypto';
import { createBff, loadBffConfig } from '@gatehouse/bff';
import { openMemoryStore } from '@gatehouse/store';
import {
  demoUser,
  freePort,
  type RunningAuthorizationServer,
  startAuthorizationServer,
  TestBrowser,
} from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A thief has a copy of Alice's session cookie (taken before the upgrade). A scope upgrade replaces
 * the session under a new id: the copied id must stop working. FOUND: when the upgrade or silent
 * sign-in is started by a navigation from another site (a link, an attacker's page) and the provider
 * is on another site than the app, neither the start nor the callback carries the SameSite=Strict
 * session cookie, so `replacesSessionKey` is empty and `endReplacedSessions` ends nothing: Alice's
 * browser gets a new session, and the old id — the thief's copy, with its refresh token — stays
 * valid until it expires. (login.ts reads the session only from the start's cookie; callback.ts only
 * from the callback's.) The same holds for a plain sign-in started from another site, before issue #18.
 *
 * KNOWN GAP, not fixed yet: these tests are `it.fails` so the suite records the gap and goes red the day
 * it is closed (then make them plain `it`). The fix needs a cookie the cross-site callback does carry —
 * e.g. a `__Host-` SameSite=Lax browser id indexing this browser's sessions, or a same-origin finishing
 * hop after the callback that sees the Strict cookie — see the closing note of the 2026-12-04 stop.
 */

const mallory = { email: 'mallory@example.com', password: 'mallory horse battery staple', name: 'Mallory' };
const evil = 'https://evil.test';

interface UserBody {
  claims: { sub: string; name?: string };
  scopes: string[];
}

describe('a holder of a stolen session cookie, when Alice’s sign-in starts from another site (found)', () => {
  let provider: RunningAuthorizationServer;
  let bff: FastifyInstance;
  let origin: string;
  const clientSecret = randomBytes(24).toString('base64url');
  const store = openMemoryStore();

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    provider = await startAuthorizationServer({
      users: [demoUser, mallory],
      clients: [
        {
          client_id: 'upgrading-bff',
          client_secret: clientSecret,
          client_name: 'Upgrading',
          redirect_uris: [`${origin}/bff/callback`],
          post_logout_redirect_uris: [`${origin}/`],
          grant_types: ['authorization_code', 'refresh_token'],
          scope: 'openid profile email offline_access api admin',
        },
      ],
    });
    bff = await createBff(
      loadBffConfig({
        publicUrl: origin,
        issuer: provider.issuer,
        clientId: 'upgrading-bff',
        clientSecret,
        scopes: ['openid', 'profile'],
        optionalScopes: ['email', 'api'],
        tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
        store: 'memory',
        // Many navigations from one address in this file: the login limit is not what is tested here.
        rateLimits: { login: { limit: 10_000 } },
      }),
      { store },
    );
    await bff.listen({ port, host: '127.0.0.1' });
  });
  afterAll(async () => {
    bff?.server.closeAllConnections();
    await bff?.close();
    await provider?.close();
  }, 90_000);

  const callbackUrl = () => `${origin}/bff/callback`;

  async function signIn(browser: TestBrowser, providerBrowser: TestBrowser, user = demoUser) {
    const start = await browser.navigate('/bff/login?returnUrl=/');
    const callback = await providerBrowser.authorize(start.headers.get('location') as string, callbackUrl(), user);
    const landing = await browser.navigate(callback.href);
    expect(landing.status).toBe(200);
  }

  async function currentUser(browser: TestBrowser): Promise<UserBody | number> {
    const response = await browser.fetch('/bff/user', { csrf: true });
    return response.status === 200 ? ((await response.json()) as UserBody) : response.status;
  }

  function thiefWith(cookie: string) {
    const thief = new TestBrowser({ origin });
    thief.setCookie('__Host-gh-session', cookie, { sameSite: 'strict' });
    return thief;
  }

  /** Where the provider's redirect back comes from: its own page, here on another site than the app's. */
  const providerSite = 'https://login.provider-elsewhere.test';

  async function upgrade(browser: TestBrowser, atProvider: TestBrowser, scope: string, from?: string) {
    const start = await browser.navigate(`/bff/login?scope=${scope}&returnUrl=/`, from ? { from } : {});
    expect(start.status).toBe(302);
    const consent = await atProvider.follow(start.headers.get('location') as string, callbackUrl());
    const page = await consent.response.text();
    const back = page.includes('decision')
      ? await atProvider.submit(consent.url, page, { decision: 'allow' }, callbackUrl())
      : consent;
    return browser.navigate(back.url, { from: providerSite });
  }

  it.fails('the copied id stops working once Alice upgrades from a link on another site', async () => {
    const alice = new TestBrowser({ origin });
    const aliceAtProvider = new TestBrowser();
    await signIn(alice, aliceAtProvider);
    const stolen = alice.cookie('__Host-gh-session') as string;
    await upgrade(alice, aliceAtProvider, 'email', evil);
    expect(alice.cookie('__Host-gh-session')).not.toBe(stolen);
    expect(((await currentUser(alice)) as UserBody).scopes).toContain('email');
    // Alice's browser now holds a new session; the one the thief copied was replaced in her browser.
    expect(await currentUser(thiefWith(stolen))).toBe(401);
  });

  it.fails('the copied id stops working once Alice signs in silently again from another site', async () => {
    const alice = new TestBrowser({ origin });
    const aliceAtProvider = new TestBrowser();
    await signIn(alice, aliceAtProvider);
    const stolen = alice.cookie('__Host-gh-session') as string;
    const start = await alice.navigate('/bff/silent-login?returnUrl=/', { from: evil });
    const back = await aliceAtProvider.follow(start.headers.get('location') as string, callbackUrl());
    await alice.navigate(back.url, { from: providerSite });
    expect(alice.cookie('__Host-gh-session')).not.toBe(stolen);
    expect(await currentUser(thiefWith(stolen))).toBe(401);
  });
});
