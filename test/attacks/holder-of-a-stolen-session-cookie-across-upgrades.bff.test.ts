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
 * the session under a new id: the copied id must stop working, and it must not be usable to upgrade
 * the session into somebody else's or to read the new scopes.
 */

const mallory = { email: 'mallory@example.com', password: 'mallory horse battery staple', name: 'Mallory' };

interface UserBody {
  claims: { sub: string; name?: string };
  scopes: string[];
}

describe('a holder of a stolen session cookie, across scope upgrades and silent sign-ins', () => {
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

  it('the copied id stops working once Alice upgrades from the app', async () => {
    const alice = new TestBrowser({ origin });
    const aliceAtProvider = new TestBrowser();
    await signIn(alice, aliceAtProvider);
    const thief = thiefWith(alice.cookie('__Host-gh-session') as string);
    expect(((await currentUser(thief)) as UserBody).claims.name).toBe(demoUser.name);
    await upgrade(alice, aliceAtProvider, 'api');
    expect(((await currentUser(alice)) as UserBody).scopes).toContain('api');
    expect(await currentUser(thief)).toBe(401);
  });

  it('the copied id cannot upgrade Alice’s session into the thief’s account or get Alice’s new scopes', async () => {
    const alice = new TestBrowser({ origin });
    await signIn(alice, new TestBrowser());
    const thief = thiefWith(alice.cookie('__Host-gh-session') as string);
    const malloryAtProvider = new TestBrowser();
    const start = await thief.navigate('/bff/login?scope=api&returnUrl=/');
    const cb = await malloryAtProvider.authorize(start.headers.get('location') as string, callbackUrl(), mallory);
    const landing = await thief.navigate(cb.href);
    expect(landing.headers.get('location')).toBe('/authentication/login-failed?error=account_mismatch');
    // Alice is untouched: still herself, no api scope.
    const aliceNow = (await currentUser(alice)) as UserBody;
    expect(aliceNow.claims.name).toBe(demoUser.name);
    expect(aliceNow.scopes).not.toContain('api');
  });
});
