import { loginAtProvider, TestBrowser } from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BffUnderAttack, type RawResponse, rawRequest, startBffUnderAttack } from './bff-under-attack.js';

/**
 * A cross-site page the victim has open makes the victim's own browser send requests to the BFF —
 * `<img src=…/bff/login>` tags, `fetch(…, { mode: 'no-cors' })` — from the victim's own address. Those
 * requests must not spend the victim's per-source sign-in limit: the victim's real click on "Sign in"
 * must still start a sign-in.
 */

const defaultLoginLimit = 60;

let bff: BffUnderAttack;
beforeAll(async () => {
  bff = await startBffUnderAttack();
});
afterAll(() => bff.close());

/** What a browser sends for `<img src>` on another site. */
const imageFromAnotherSite = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' };
/** What a browser sends when the user clicks "Sign in" in the app. */
const click = {
  'sec-fetch-site': 'same-origin',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
  'sec-fetch-user': '?1',
};

async function sendAll(count: number, send: () => Promise<RawResponse>): Promise<RawResponse[]> {
  return Promise.all(Array.from({ length: count }, send));
}

describe('a cross-site page the victim has open', () => {
  for (const [path, victimsAddress] of [
    ['/bff/login?returnUrl=/', '127.0.0.30'],
    ['/bff/silent-login?returnUrl=/', '127.0.0.33'],
  ] as const) {
    it(`cannot use the victim’s own browser to lock the victim out of ${path.split('?')[0]} with image requests`, async () => {
      const entries = await bff.store.countEntries();
      const images = await sendAll(defaultLoginLimit, () =>
        rawRequest(bff.port, path, { from: victimsAddress, headers: imageFromAnotherSite }),
      );
      for (const response of images) {
        // Not a page the user sees: a plain refusal, no login-failed redirect, nothing written.
        expect(response.status).toBe(403);
        expect(JSON.parse(response.body)).toEqual({ error: 'forbidden', reason: 'not_a_navigation' });
        expect(response.headers['set-cookie']).toBeUndefined();
      }
      expect(await bff.store.countEntries()).toBe(entries);
      const signIn = await rawRequest(bff.port, path, { from: victimsAddress, headers: click });
      expect(signIn.status).toBe(302);
      expect(signIn.headers['set-cookie']?.join()).toContain('__Host-gh-login=');
    });
  }

  it('cannot start a sign-in with any request the browser says is not a top-level document navigation', async () => {
    const notNavigations: Record<string, string>[] = [
      { 'sec-fetch-mode': 'no-cors' },
      { 'sec-fetch-mode': 'cors' },
      { 'sec-fetch-dest': 'iframe' },
      { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'iframe' },
      { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'script' },
      { 'sec-fetch-mode': 'NAVIGATE-ish', 'sec-fetch-dest': 'document' },
    ];
    for (const headers of notNavigations) {
      const response = await rawRequest(bff.port, '/bff/login?returnUrl=/', { from: '127.0.0.34', headers });
      expect([headers, response.status]).toEqual([headers, 403]);
    }
  });

  it('leaves requests without Sec-Fetch headers (older browsers, tools) as they were', async () => {
    const response = await rawRequest(bff.port, '/bff/login?returnUrl=/', { from: '127.0.0.35' });
    expect(response.status).toBe(302);
  });
});

describe('a cross-site page sending the victim to the attacker’s sign-in callback (login CSRF)', () => {
  it("signs the victim into nothing, and leaves the victim's own sign-in under way intact", async () => {
    // The victim has started a sign-in of their own (their browser holds the login binding).
    const victim = new TestBrowser({ origin: bff.origin });
    const victimsStart = await victim.navigate('/bff/login?returnUrl=/');
    expect(victimsStart.status).toBe(302);
    // The attacker signs in at the provider in their own browser and keeps the callback URL.
    const attacker = new TestBrowser({ origin: bff.origin });
    const attackersStart = await attacker.navigate('/bff/login?returnUrl=/');
    const attackersCallback = await loginAtProvider(attackersStart.headers.get('location') as string, 'mallory');

    // Their page navigates the victim there: a top-level GET, so the Lax login binding goes along.
    const planted = await victim.navigate(attackersCallback.href, { from: 'https://evil.example' });
    expect(planted.status).toBe(303);
    expect(planted.headers.get('location')).toMatch(/\?error=invalid_state$/);
    expect(victim.cookie('__Host-gh-session')).toBeUndefined();
    expect((await victim.fetch('/bff/user', { csrf: true })).status).toBe(401);

    // The victim's own sign-in still completes, as the victim.
    const victimsCallback = await loginAtProvider(victimsStart.headers.get('location') as string, 'alice');
    expect((await victim.navigate(victimsCallback.href)).status).toBeLessThan(400);
    const user = await victim.fetch('/bff/user', { csrf: true });
    expect(user.status).toBe(200);
    expect(((await user.json()) as { claims: { sub: string } }).claims.sub).toBe('alice');
  });
});

describe('a cross-site page sending the victim to /bff/login with scopes of its choosing', () => {
  const crossSiteNavigation = {
    'sec-fetch-site': 'cross-site',
    'sec-fetch-mode': 'navigate',
    'sec-fetch-dest': 'document',
  };

  it('cannot make the BFF ask the provider for a scope outside its allow-list', async () => {
    const entries = await bff.store.countEntries();
    for (const scope of ['admin', 'openid%20admin', 'openid%0d%0aadmin', 'openid&scope=admin']) {
      const response = await rawRequest(bff.port, `/bff/login?returnUrl=/&scope=${scope}`, {
        from: '127.0.0.36',
        headers: crossSiteNavigation,
      });
      // The login-failed page, never the provider: no flow written, no binding cookie.
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe('/authentication/login-failed?error=invalid_scope');
      expect(response.headers['set-cookie']).toBeUndefined();
    }
    expect(await bff.store.countEntries()).toBe(entries);
    // The configured scopes still work from the same page.
    const plain = await rawRequest(bff.port, '/bff/login?returnUrl=/&scope=profile', {
      from: '127.0.0.36',
      headers: crossSiteNavigation,
    });
    expect(plain.status).toBe(302);
    expect(new URL(plain.headers.location as string).searchParams.get('scope')).toBe('openid profile offline_access');
  });
});
