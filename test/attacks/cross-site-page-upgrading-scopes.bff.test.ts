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
 * A cross-site page the victim has open navigates the victim's browser to `/bff/login?scope=…` and
 * `/bff/silent-login`, or hands it a callback URL from the attacker's own sign-in, hoping to swap
 * sessions (the attacker's account in the victim's browser, or the victim's session with the
 * attacker's tokens), to widen scopes past the allow-list, or to bounce the victim off-site through
 * the quiet return of a silent sign-in.
 */

const mallory = { email: 'mallory@example.com', password: 'mallory horse battery staple', name: 'Mallory' };
const evil = 'https://evil.test';

interface UserBody {
  claims: { sub: string; name?: string };
  scopes: string[];
}

describe('a cross-site page and the BFF’s scope upgrades and silent sign-in', () => {
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

  it('cannot plant the attacker’s upgrade callback in the victim’s browser (session swap)', async () => {
    const victim = new TestBrowser({ origin });
    await signIn(victim, new TestBrowser());
    const before = (await currentUser(victim)) as UserBody;
    const victimCookie = victim.cookie('__Host-gh-session');

    // Mallory signs in at the BFF, starts an upgrade in her own browser, and keeps the callback URL.
    const attacker = new TestBrowser({ origin });
    const attackerAtProvider = new TestBrowser();
    await signIn(attacker, attackerAtProvider, mallory);
    const start = await attacker.navigate('/bff/login?scope=api&returnUrl=/');
    const consent = await attackerAtProvider.follow(start.headers.get('location') as string, callbackUrl());
    const back = await attackerAtProvider.submit(
      consent.url,
      await consent.response.text(),
      { decision: 'allow' },
      callbackUrl(),
    );
    expect(back.url.startsWith(callbackUrl())).toBe(true);

    // The victim's browser is sent to it from the attacker's page.
    const landing = await victim.navigate(back.url, { from: evil });
    expect(landing.status).toBe(303);
    expect(landing.headers.get('location')).toBe('/authentication/login-failed?error=invalid_state');
    expect(victim.cookie('__Host-gh-session')).toBe(victimCookie);
    const after = (await currentUser(victim)) as UserBody;
    expect(after.claims.sub).toBe(before.claims.sub);
    expect(after.scopes).not.toContain('api');

    // The callback is spent: the attacker cannot use it either (replayed in another browser first).
    const replay = await attacker.navigate(back.url);
    expect(replay.headers.get('location')).toBe('/authentication/login-failed?error=invalid_state');
  });

  it('an upgrade callback replayed in another browser signs nobody in', async () => {
    const alice = new TestBrowser({ origin });
    const aliceAtProvider = new TestBrowser();
    await signIn(alice, aliceAtProvider);
    const start = await alice.navigate('/bff/login?scope=email&returnUrl=/');
    const consent = await aliceAtProvider.follow(start.headers.get('location') as string, callbackUrl());
    const back = await aliceAtProvider.submit(
      consent.url,
      await consent.response.text(),
      { decision: 'allow' },
      callbackUrl(),
    );
    const stranger = new TestBrowser({ origin });
    const replayed = await stranger.navigate(back.url, { from: evil });
    expect(replayed.headers.get('location')).toBe('/authentication/login-failed?error=invalid_state');
    expect(stranger.cookie('__Host-gh-session')).toBeUndefined();
    expect(await currentUser(stranger)).toBe(401);
    // Alice's own callback is also spent by the replay (single use): she stays as she was, signed in.
    const own = await alice.navigate(back.url);
    expect(own.headers.get('location')).toBe('/authentication/login-failed?error=invalid_state');
    expect(((await currentUser(alice)) as UserBody).scopes).not.toContain('email');
  });

  it('a scope upgrade started from a cross-site page stays the victim’s own, and never carries the attacker in', async () => {
    const victim = new TestBrowser({ origin });
    const victimAtProvider = new TestBrowser();
    await signIn(victim, victimAtProvider);
    const before = (await currentUser(victim)) as UserBody;
    // The attacker's page navigates the victim to an upgrade; the victim's browser follows to the
    // provider with the victim's own provider session and consents (the page said "click allow").
    const start = await victim.navigate('/bff/login?scope=api&returnUrl=/', { from: evil });
    expect(start.status).toBe(302);
    const scopes = new URL(start.headers.get('location') as string).searchParams.get('scope')?.split(' ').sort();
    expect(scopes).toEqual(['api', 'openid', 'profile']);
    const consent = await victimAtProvider.follow(start.headers.get('location') as string, callbackUrl(), {
      from: evil,
    });
    const back = await victimAtProvider.submit(
      consent.url,
      await consent.response.text(),
      { decision: 'allow' },
      callbackUrl(),
    );
    await victim.navigate(back.url, { from: provider.issuer });
    const after = (await currentUser(victim)) as UserBody;
    expect(after.claims.sub).toBe(before.claims.sub);
    expect(after.claims.name).toBe(demoUser.name);
  });

  it('cannot widen scopes past the allow-list with encoding tricks', async () => {
    const victim = new TestBrowser({ origin });
    const entries = await store.countEntries();
    for (const scope of [
      'api+admin',
      'api%20admin',
      'admin%20api',
      'api%2Badmin',
      'api%C2%A0admin',
      'api%E3%80%80admin',
      'api%E2%80%A8admin',
      'api%09admin',
      'api%0Aadmin',
      'api%00admin',
      'ap%69',
      'API',
      'api%2Cadmin',
      '%20api',
      'api%20',
      '+api',
      'api&scope=admin',
      'admin&scope=api',
      'api&scope=',
      '&scope=admin',
      'api&scope[]=admin',
      'api;admin',
      'api%ZZ',
      'openid%20profile%20api%20admin',
    ]) {
      for (const path of ['/bff/login', '/bff/silent-login']) {
        const response = await victim.navigate(`${path}?returnUrl=/&scope=${scope}`, { from: evil });
        if (response.status === 302) {
          const asked = new URL(response.headers.get('location') as string).searchParams.get('scope')?.split(' ');
          expect(asked, `${path} scope=${scope}`).not.toContain('admin');
          expect(asked, `${path} scope=${scope}`).not.toContain('offline_access');
          for (const s of asked ?? []) expect(['openid', 'profile', 'email', 'api'], scope).toContain(s);
        } else {
          expect(response.status, `${path} scope=${scope}`).toBeLessThan(500);
        }
      }
    }
    void entries;
  });

  it('cannot bounce the victim off-site through the quiet return of a silent sign-in', async () => {
    for (const returnUrl of [
      'https://evil.test/',
      '//evil.test/',
      '/%2F%2Fevil.test',
      '%2F%2Fevil.test',
      '/%5Cevil.test',
      '/\\evil.test',
      '/%09/evil.test',
      '/%0D%0ALocation:%20https://evil.test',
      '%252F%252Fevil.test',
      '/%252F%252Fevil.test',
      '/.%2E/%2F%2Fevil.test',
      'javascript:alert(1)',
      '/%E3%80%80/evil.test',
      '/%EF%BC%8F%EF%BC%8Fevil.test',
      '/%C3%A9',
      '/%C4%81',
      '/%E2%82%AC',
      '/%F0%9F%98%80',
      '/@evil.test',
      'https:evil.test',
    ]) {
      const victim = new TestBrowser({ origin });
      const start = await victim.navigate(`/bff/silent-login?returnUrl=${returnUrl}`, { from: evil });
      if (start.status !== 302) {
        // Refused at the start: still never a redirect off-site.
        expect(start.status, returnUrl).toBeLessThan(500);
        const refusal = start.headers.get('location');
        if (refusal) expect(new URL(refusal, origin).origin, returnUrl).toBe(origin);
        continue;
      }
      const back = await new TestBrowser().follow(start.headers.get('location') as string, callbackUrl());
      expect(new URL(back.url).searchParams.get('error')).toBe('login_required');
      const landing = await victim.navigate(back.url, { from: provider.issuer });
      expect(landing.status, returnUrl).toBe(303);
      const location = landing.headers.get('location') as string;
      expect(new URL(location, origin).origin, `${returnUrl} → ${location}`).toBe(origin);
      expect(location.startsWith('/'), returnUrl).toBe(true);
      expect(location.startsWith('//'), returnUrl).toBe(false);
      expect(location.includes('\\'), returnUrl).toBe(false);
    }
  });

  it('/bff/user lists granted scopes and nothing of the tokens', async () => {
    const victim = new TestBrowser({ origin });
    await signIn(victim, new TestBrowser());
    const response = await victim.fetch('/bff/user', { csrf: true });
    const text = await response.text();
    const body = JSON.parse(text) as Record<string, unknown>;
    expect((body.scopes as string[]).sort()).toEqual(['openid', 'profile']);
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\./); // no JWT
    expect(text.toLowerCase()).not.toContain('refresh');
    expect(text.toLowerCase()).not.toContain('access_token');
    // A cross-site page reading /bff/user gets no answer it can read (no CORS, CSRF header needed).
    const cross = await victim.fetch('/bff/user', { headers: { origin: evil } });
    expect(cross.status).not.toBe(200);
    expect(cross.headers.get('access-control-allow-origin')).toBeNull();
  });
});
