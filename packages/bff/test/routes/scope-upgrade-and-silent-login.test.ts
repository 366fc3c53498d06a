import { randomBytes } from 'node:crypto';
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
import { createBff } from '../../src/app.js';
import { loadBffConfig } from '../../src/config/bff-config.js';

const bob = { email: 'bob@example.com', password: 'another horse battery staple', name: 'Bob' };

interface UserBody {
  claims: { sub: string; name?: string };
  scopes: string[];
}

// Incremental consent (`/bff/login?scope=`) and silent sign-in (`/bff/silent-login`) with the
// Gatehouse authorization server over real HTTP.
describe('BFF scope upgrades and silent sign-in', () => {
  let provider: RunningAuthorizationServer;
  let bff: FastifyInstance;
  let origin: string;
  const clientSecret = randomBytes(24).toString('base64url');
  const store = openMemoryStore();

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    provider = await startAuthorizationServer({
      users: [demoUser, bob],
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

  async function signIn(browser: TestBrowser, providerBrowser: TestBrowser, path: string, user = demoUser) {
    const start = await browser.navigate(path);
    expect(start.status).toBe(302);
    const callback = await providerBrowser.authorize(start.headers.get('location') as string, callbackUrl(), user);
    return browser.navigate(callback.href);
  }

  async function currentUser(browser: TestBrowser): Promise<UserBody | number> {
    const response = await browser.fetch('/bff/user', { csrf: true });
    return response.status === 200 ? ((await response.json()) as UserBody) : response.status;
  }

  it('adds scopes to a signed-in session after consent, and /bff/user shows them', async () => {
    const browser = new TestBrowser({ origin });
    const providerBrowser = new TestBrowser();
    expect((await signIn(browser, providerBrowser, '/bff/login?returnUrl=/')).status).toBe(200);
    const before = (await currentUser(browser)) as UserBody;
    expect(before.scopes.sort()).toEqual(['openid', 'profile']);
    const firstCookie = browser.cookie('__Host-gh-session');

    const start = await browser.navigate('/bff/login?scope=api&returnUrl=/reports');
    const authorization = new URL(start.headers.get('location') as string);
    expect(authorization.searchParams.get('scope')?.split(' ').sort()).toEqual(['api', 'openid', 'profile']);
    // The provider asks for consent to the new scope (its session stands: no password again).
    const consent = await providerBrowser.follow(authorization.href, callbackUrl());
    const page = await consent.response.text();
    expect(page).not.toContain('name="password"');
    const back = await providerBrowser.submit(consent.url, page, { decision: 'allow' }, callbackUrl());
    const landing = await browser.navigate(back.url);
    expect(await landing.text()).toContain('/reports');

    const after = (await currentUser(browser)) as UserBody;
    expect(after.claims.sub).toBe(before.claims.sub);
    expect(after.scopes.sort()).toEqual(['api', 'openid', 'profile']);
    // Replaced under a new id (privileges changed), the old one ended: still signed in, never signed out.
    expect(browser.cookie('__Host-gh-session')).not.toBe(firstCookie);
    const stale = new TestBrowser({ origin });
    stale.setCookie('__Host-gh-session', firstCookie as string, { sameSite: 'strict' });
    expect(await currentUser(stale)).toBe(401);

    // A second upgrade keeps what the first one added.
    const again = await browser.navigate('/bff/login?scope=email');
    const scopes = new URL(again.headers.get('location') as string).searchParams.get('scope')?.split(' ');
    expect(scopes?.sort()).toEqual(['api', 'email', 'openid', 'profile']);
  });

  it('another user of the same provider signing in during Alice’s scope upgrade is not merged into her session', async () => {
    const alice = new TestBrowser({ origin });
    const aliceAtProvider = new TestBrowser();
    await signIn(alice, aliceAtProvider, '/bff/login?returnUrl=/');
    const before = (await currentUser(alice)) as UserBody;

    // The upgrade comes back signed in as Bob (he took over the provider tab, or the flow was planted).
    const start = await alice.navigate('/bff/login?scope=api&returnUrl=/');
    const bobAtProvider = new TestBrowser();
    const callback = await bobAtProvider.authorize(start.headers.get('location') as string, callbackUrl(), bob);
    const landing = await alice.navigate(callback.href);
    expect(landing.status).toBe(303);
    expect(landing.headers.get('location')).toBe('/authentication/login-failed?error=account_mismatch');

    const after = (await currentUser(alice)) as UserBody;
    expect(after.claims.sub).toBe(before.claims.sub);
    expect(after.claims.name).toBe(demoUser.name);
    expect(after.scopes).not.toContain('api');
  });

  it('a cross-site page cannot make the BFF ask the provider for scopes outside its allow-list', async () => {
    const victim = new TestBrowser({ origin });
    const entries = await store.countEntries();
    for (const scope of ['admin', 'api admin', 'api%0d%0aadmin', 'api%20%20email', 'x'.repeat(2000)]) {
      const response = await victim.navigate(`/bff/login?returnUrl=/&scope=${scope}`, { from: 'https://evil.test' });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/authentication/login-failed?error=invalid_scope');
      expect(response.headers.get('set-cookie')).toBeNull();
    }
    // A repeated parameter is refused too, not merged.
    const repeated = await victim.navigate('/bff/silent-login?scope=api&scope=admin', { from: 'https://evil.test' });
    expect(repeated.headers.get('location')).toBe('/authentication/login-failed?error=invalid_scope');
    expect(await store.countEntries()).toBe(entries);
    // An empty scope counts as absent: a plain sign-in with the configured scopes.
    const plain = await victim.navigate('/bff/login?scope=', { from: 'none' });
    expect(new URL(plain.headers.get('location') as string).searchParams.get('scope')).toBe('openid profile');
  });

  it('signs in silently when the provider session exists', async () => {
    const providerBrowser = new TestBrowser();
    await signIn(new TestBrowser({ origin }), providerBrowser, '/bff/login?returnUrl=/');
    // A new tab of the app with no BFF session, but the provider still knows the user.
    const browser = new TestBrowser({ origin });
    const start = await browser.navigate('/bff/silent-login?returnUrl=/inbox');
    expect(new URL(start.headers.get('location') as string).searchParams.get('prompt')).toBe('none');
    const back = await providerBrowser.follow(start.headers.get('location') as string, callbackUrl());
    const landing = await browser.navigate(back.url);
    expect(landing.status).toBe(200);
    expect(await landing.text()).toContain('/inbox');
    expect(((await currentUser(browser)) as UserBody).claims.name).toBe(demoUser.name);
  });

  it('returns quietly to returnUrl, with no login-failed page and no session, when the provider has no session', async () => {
    const browser = new TestBrowser({ origin });
    const start = await browser.navigate('/bff/silent-login?returnUrl=/inbox%3Ftab%3D2');
    const back = await new TestBrowser().follow(start.headers.get('location') as string, callbackUrl());
    expect(new URL(back.url).searchParams.get('error')).toBe('login_required');
    const landing = await browser.navigate(back.url);
    expect(landing.status).toBe(303);
    expect(landing.headers.get('location')).toBe('/inbox?tab=2');
    expect(browser.cookie('__Host-gh-session')).toBeUndefined();
    expect(browser.cookie('__Host-gh-login')).toBeUndefined();
    expect(await currentUser(browser)).toBe(401);
  });

  it('still ends a non-silent sign-in the user declined on the login-failed route', async () => {
    const browser = new TestBrowser({ origin });
    const start = await browser.navigate('/bff/login?returnUrl=/');
    const state = new URL(start.headers.get('location') as string).searchParams.get('state') as string;
    const landing = await browser.navigate(
      `/bff/callback?error=access_denied&state=${state}&iss=${encodeURIComponent(provider.issuer)}`,
      { from: provider.issuer },
    );
    expect(landing.headers.get('location')).toBe('/authentication/login-failed?error=access_denied');
  });
});
