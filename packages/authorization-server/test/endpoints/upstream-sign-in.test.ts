import { confidentialClient, demoUser, loginAtProvider, TestBrowser } from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answerSocial,
  authorizationUrl,
  type Federation,
  finishAtProvider,
  formEndingWith,
  impostor,
  redeem,
  redirectUri,
  sam,
  signInThrough,
  startFederation,
} from '../federation-harness.js';

// Sign-in with upstream providers, end to end over HTTP: Example Social (plain OAuth 2.0 with a profile
// API that requires appsecret_proof) and oidc-provider (OpenID by discovery) as upstreams of our provider.
describe('sign-in with upstream providers', () => {
  let federation: Federation;
  beforeAll(async () => {
    federation = await startFederation();
  });
  afterAll(() => federation?.close());

  it('shows a "Continue with …" form per upstream on the login page, CSRF-protected, with form-action allowing the upstream', async () => {
    const browser = new TestBrowser();
    const login = await browser.follow(authorizationUrl(federation.issuer).url, redirectUri);
    const page = await login.response.text();
    expect(page).toContain('Continue with Example Social');
    expect(page).toContain('Continue with Corp ID');
    const form = formEndingWith(page, login.url, '/upstream/social/start');
    expect(form.fields.csrf).toBeTruthy();
    expect(form.fields.interaction).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(login.response.headers.get('content-security-policy')).toContain(federation.social.url);
    // Without the CSRF token nothing starts.
    const forged = await browser.post(form.action, { interaction: form.fields.interaction as string });
    expect(forged.status).toBe(403);
  });

  it('creates a local account on the first sign-in, reuses it on the second, and records amr fed', async () => {
    const first = await signInThrough(federation, 'social', sam.id);
    expect(first.claims.sub).toMatch(/^usr_/);
    expect(first.claims.amr).toEqual(['fed']);
    expect(first.claims.email).toBe(sam.email);
    expect(first.claims.email_verified).toBe(true);
    expect(first.claims.name).toBe(sam.name);
    const second = await signInThrough(federation, 'social', sam.id);
    expect(second.claims.sub).toBe(first.claims.sub);
  });

  it('signs in with an OpenID upstream found by discovery (ID token and nonce checked)', async () => {
    const first = await signInThrough(federation, 'corp', 'carol');
    expect(first.claims.sub).toMatch(/^usr_/);
    expect(first.claims.amr).toContain('fed');
    expect(first.claims.email).toBe('carol@example.test');
    // oidc-provider does not assert email_verified: the account's address stays unverified.
    expect(first.claims.email_verified).toBe(false);
    const again = await signInThrough(federation, 'corp', 'carol');
    expect(again.claims.sub).toBe(first.claims.sub);
  });

  it('never links by email: an upstream account claiming a local address gets its own account', async () => {
    const local = await localSignIn(federation);
    const upstream = await signInThrough(federation, 'social', impostor.id);
    expect(upstream.claims.sub).not.toBe(local.claims.sub);
    // The password still opens the local account, not the upstream one.
    expect((await localSignIn(federation)).claims.sub).toBe(local.claims.sub);
  });

  it('brings an upstream access_denied back to the login page with the request intact', async () => {
    const browser = new TestBrowser();
    const { url, verifier } = authorizationUrl(federation.issuer);
    const login = await browser.follow(url, redirectUri);
    const form = formEndingWith(await login.response.text(), login.url, '/upstream/social/start');
    const started = await browser.post(form.action, form.fields);
    const callback = await answerSocial(started.headers.get('location') as string, 'deny');
    expect(new URL(callback).searchParams.get('error')).toBe('access_denied');
    const back = await browser.navigate(callback);
    const page = await back.text();
    expect(page).toContain('Signing in with Example Social was cancelled.');
    // The same pending request: the password form still carries it, and finishes it.
    const again = formEndingWith(page, callback, '/login');
    expect(again.fields.interaction).toBe(form.fields.interaction);
    const signedIn = await browser.submit(
      callback,
      page,
      { email: demoUser.email, password: demoUser.password },
      redirectUri,
    );
    const code = await finishAtProvider(browser, signedIn);
    expect((await redeem(federation.issuer, code, verifier)).claims.amr).toEqual(['pwd']);
  });

  it('refuses a callback in another browser, a replayed state, and a callback without state', async () => {
    const browser = new TestBrowser();
    const login = await browser.follow(authorizationUrl(federation.issuer).url, redirectUri);
    const form = formEndingWith(await login.response.text(), login.url, '/upstream/social/start');
    const started = await browser.post(form.action, form.fields);
    const callback = await answerSocial(started.headers.get('location') as string, sam.id);
    // An attacker's code delivered to a victim's browser (login CSRF): no binding cookie → refused.
    const elsewhere = await new TestBrowser().navigate(callback);
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.text()).toContain('could not be matched');
    // That attempt consumed the state: the rightful browser cannot reuse it either.
    expect((await browser.navigate(callback)).status).toBe(400);
    const bare = await browser.navigate(`${federation.issuer}/upstream/social/callback?code=abc`);
    expect(bare.status).toBe(400);
    const unknown = await browser.navigate(`${federation.issuer}/upstream/nope/callback?code=abc&state=x`);
    expect(unknown.status).toBe(404);
  });

  it('links an upstream account explicitly from the profile, then signs in with it as the same user', async () => {
    const local = await localSignIn(federation);
    const browser = local.browser;
    const profile = await browser.navigate(`${federation.issuer}/profile`);
    const page = await profile.text();
    expect(page).toContain('Link Example Social');
    const link = formEndingWith(page, `${federation.issuer}/profile`, '/upstream/corp/start');
    expect(link.fields.purpose).toBe('link');
    const started = await browser.post(link.action, link.fields);
    const back = await loginAtProvider(started.headers.get('location') as string, 'linda');
    const done = await browser.navigate(back.href);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toContain('notice=linked');
    const signedIn = await signInThrough(federation, 'corp', 'linda');
    expect(signedIn.claims.sub).toBe(local.claims.sub);
    // Unlinking works while a password remains.
    const after = await (await browser.navigate(`${federation.issuer}/profile`)).text();
    const unlink = formEndingWith(after, `${federation.issuer}/profile`, '/profile/unlink');
    const unlinked = await browser.post(unlink.action, unlink.fields);
    expect(unlinked.headers.get('location')).toContain('notice=unlinked');
    expect((await signInThrough(federation, 'corp', 'linda')).claims.sub).not.toBe(local.claims.sub);
  });

  it('does not unlink the only way into an account made by an upstream sign-in', async () => {
    const { browser } = await signInThrough(federation, 'corp', 'solo');
    const page = await (await browser.navigate(`${federation.issuer}/profile`)).text();
    expect(page).not.toContain('Change password');
    const unlink = formEndingWith(page, `${federation.issuer}/profile`, '/profile/unlink');
    const refused = await browser.post(unlink.action, unlink.fields);
    expect(refused.headers.get('location')).toContain('notice=last-method');
  });
});

async function localSignIn(federation: Federation) {
  const browser = new TestBrowser();
  const { url, verifier } = authorizationUrl(federation.issuer);
  const code = new URL(await browser.authorize(url, redirectUri)).searchParams.get('code') as string;
  return { browser, ...(await redeem(federation.issuer, code, verifier, confidentialClient)) };
}
