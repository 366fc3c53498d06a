import { randomBytes } from 'node:crypto';
import { openMemoryStore } from '@gatehouse/store';
import { freePort, loginAtProvider, type ProviderPeer, startProviderPeer, TestBrowser } from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBff } from '../src/app.js';
import { loadBffConfig } from '../src/config/bff-config.js';

// Whole journeys through the BFF against oidc-provider, an independent OpenID provider, over
// real HTTP on loopback, with a cookie-keeping client standing in for the browser.
describe('BFF journeys against oidc-provider', () => {
  let peer: ProviderPeer;
  let bff: FastifyInstance;
  let origin: string;
  const logLines: string[] = [];
  /** Every code, state and session id the journeys saw: none may reach a log line. */
  const secrets = new Set<string>();

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    peer = await startProviderPeer({ redirectUri: `${origin}/bff/callback` });
    const config = loadBffConfig({
      publicUrl: origin,
      issuer: peer.issuer,
      clientId: peer.client.clientId,
      clientSecret: peer.client.clientSecret,
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
      store: 'memory',
    });
    bff = await createBff(config, {
      store: openMemoryStore(),
      logger: { level: 'debug', stream: { write: (line: string) => logLines.push(line) } },
    });
    await bff.listen({ port, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await bff?.close();
    await peer?.stop();
  });

  async function logIn(browser: TestBrowser, returnUrl = '/todos') {
    const start = await browser.navigate(`/bff/login?returnUrl=${encodeURIComponent(returnUrl)}`);
    expect(start.status).toBe(302);
    const callback = await loginAtProvider(start.headers.get('location') as string, 'alice');
    const landing = await browser.navigate(callback.href);
    for (const name of ['code', 'state']) secrets.add(callback.searchParams.get(name) as string);
    const sessionId = browser.cookie('__Host-gh-session');
    if (sessionId) secrets.add(sessionId);
    return { callback, landing };
  }

  it('signs in, shows the user without tokens, and signs out with the provider', async () => {
    const browser = new TestBrowser({ origin });
    const anonymous = await browser.fetch('/bff/user', { csrf: true });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: 'unauthenticated', reason: 'no_session' });

    const { landing } = await logIn(browser, '/todos?tab=open');
    expect(landing.status).toBe(200);
    expect(landing.headers.get('content-security-policy')).toMatch(/script-src 'nonce-/);
    const page = await landing.text();
    expect(page).toContain('url=/todos?tab=open');
    expect(browser.cookie('__Host-gh-session')).toBeDefined();
    expect(browser.cookie('__Host-gh-login')).toBeUndefined();
    const setCookie = landing.headers.getSetCookie().find((c) => c.startsWith('__Host-gh-session='));
    expect(setCookie).toMatch(/; Path=\/; Secure; HttpOnly; SameSite=Strict$/);

    const user = await browser.fetch('/bff/user', { csrf: true });
    expect(user.status).toBe(200);
    const body = (await user.json()) as { claims: Record<string, unknown>; session: { expiresAt: number } };
    expect(body.claims).toMatchObject({ sub: 'alice', iss: peer.issuer, name: 'User alice' });
    expect(body.claims.nonce).toBeUndefined();
    expect(body.session.expiresAt).toBeGreaterThan(Date.now());
    expect(JSON.stringify(body)).not.toMatch(/eyJ|token/i);

    const logout = await browser.fetch('/bff/logout', {
      method: 'POST',
      csrf: true,
      headers: { accept: 'application/json' },
    });
    expect(logout.status).toBe(200);
    const { redirectTo: continuation } = (await logout.json()) as { redirectTo: string };
    // The page gets a continuation, never the end-session URL (it holds the ID token).
    expect(continuation).toMatch(new RegExp(`^${origin}/bff/logout/continue\\?id=[A-Za-z0-9_-]{32}$`));
    const continued = await browser.navigate(continuation);
    expect(continued.status).toBe(303);
    const redirectTo = continued.headers.get('location') as string;
    expect(redirectTo).toMatch(new RegExp(`^${peer.issuer}/session/end\\?`));
    expect(new URL(redirectTo).searchParams.get('id_token_hint')).toMatch(/^eyJ/);
    // Single use: a second visit lands on the app's signed-out route.
    expect((await browser.navigate(continuation)).headers.get('location')).toBe(`${origin}/`);
    expect(new URL(redirectTo).searchParams.get('post_logout_redirect_uri')).toBe(`${origin}/`);
    expect(browser.cookie('__Host-gh-session')).toBeUndefined();
    expect((await browser.fetch('/bff/user', { csrf: true })).status).toBe(401);
  });

  it('refuses /bff/user and /bff/logout without the CSRF header, or from another origin', async () => {
    const browser = new TestBrowser({ origin });
    await logIn(browser);
    expect(await (await browser.navigate('/bff/user')).json()).toEqual({
      error: 'forbidden',
      reason: 'missing_csrf_header',
    });
    const crossSite = await browser.fetch('/bff/logout', {
      method: 'POST',
      csrf: true,
      headers: { origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);
    expect((await browser.fetch('/bff/user', { csrf: true })).status).toBe(200); // still signed in
  });

  it('issues a new session id at login, whatever session cookie the browser brought (no fixation)', async () => {
    const browser = new TestBrowser({ origin });
    const planted = randomBytes(32).toString('base64url');
    browser.setCookie('__Host-gh-session', planted);
    await logIn(browser);
    expect(browser.cookie('__Host-gh-session')).not.toBe(planted);
    const first = browser.cookie('__Host-gh-session');
    await logIn(browser);
    expect(browser.cookie('__Host-gh-session')).not.toBe(first);
  });

  it('never redirects to another site after login', async () => {
    for (const hostile of ['//evil.example', '/\\evil.example', 'https://evil.example', '/%2F%2Fevil.example']) {
      const browser = new TestBrowser({ origin });
      const { landing } = await logIn(browser, hostile);
      expect(await landing.text()).toContain('url=/"');
    }
  });

  it('refuses a replayed callback and ends on the login-failed route, leaving no login cookie', async () => {
    const browser = new TestBrowser({ origin });
    const { callback } = await logIn(browser);
    const replay = await browser.navigate(callback.href);
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toBe('/authentication/login-failed?error=invalid_state');
    expect(browser.cookie('__Host-gh-login')).toBeUndefined();
  });

  it('refuses a callback from another browser (login CSRF)', async () => {
    const attacker = new TestBrowser({ origin });
    const start = await attacker.navigate('/bff/login');
    const callback = await loginAtProvider(start.headers.get('location') as string, 'mallory');
    const victim = new TestBrowser({ origin });
    const landing = await victim.navigate(callback.href);
    expect(landing.headers.get('location')).toBe('/authentication/login-failed?error=invalid_state');
    expect(victim.cookie('__Host-gh-session')).toBeUndefined();
  });

  it('ends a provider error such as access_denied on the login-failed route with its code', async () => {
    const browser = new TestBrowser({ origin });
    const start = await browser.navigate('/bff/login');
    const state = new URL(start.headers.get('location') as string).searchParams.get('state') as string;
    const iss = encodeURIComponent(peer.issuer);
    const response = await browser.navigate(`/bff/callback?error=access_denied&state=${state}&iss=${iss}`);
    expect(response.headers.get('location')).toBe('/authentication/login-failed?error=access_denied');
    expect(browser.cookieNames().length).toBe(0);
  });

  it('refuses a callback whose iss names another provider (mix-up)', async () => {
    const browser = new TestBrowser({ origin });
    const start = await browser.navigate('/bff/login');
    const state = new URL(start.headers.get('location') as string).searchParams.get('state') as string;
    const response = await browser.navigate(
      `/bff/callback?code=abc&state=${state}&iss=${encodeURIComponent('https://evil.example')}`,
    );
    expect(response.headers.get('location')).toBe('/authentication/login-failed?error=invalid_callback');
  });

  it('keeps two tabs’ logins apart and both succeed', async () => {
    const browser = new TestBrowser({ origin });
    const first = await browser.navigate('/bff/login?returnUrl=/a');
    const second = await browser.navigate('/bff/login?returnUrl=/b');
    const [cb1, cb2] = await Promise.all([
      loginAtProvider(first.headers.get('location') as string, 'alice'),
      loginAtProvider(second.headers.get('location') as string, 'alice'),
    ]);
    expect(await (await browser.navigate(cb2.href)).text()).toContain('url=/b');
    expect(await (await browser.navigate(cb1.href)).text()).toContain('url=/a');
    expect(browser.cookie('__Host-gh-login')).toBeUndefined();
  });

  it('answers unknown /bff routes and tampered cookies with 401/404 JSON, never a redirect', async () => {
    const browser = new TestBrowser({ origin });
    browser.setCookie('__Host-gh-session', 'tampered');
    const user = await browser.fetch('/bff/user', { csrf: true });
    expect(user.status).toBe(401);
    expect(user.headers.getSetCookie().join()).toContain('__Host-gh-session=; ');
    const missing = await browser.fetch('/bff/nothing', { csrf: true });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found' });
  });

  it.each([
    ['GET', '/bff/logout', 'POST'],
    ['DELETE', '/bff/user', 'GET'],
    ['POST', '/bff/login', 'GET'],
    ['GET', '/bff/backchannel-logout', 'POST'],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const response = await new TestBrowser({ origin }).fetch(path, { method, csrf: true });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(await response.json()).toEqual({ error: 'method_not_allowed', reason: 'method_not_allowed' });
  });

  it('answers an oversized header with 431 and a huge query with a normal 4xx, never a 500', async () => {
    const big = await fetch(`${origin}/bff/user`, { headers: { 'x-csrf': '1', 'x-pad': 'x'.repeat(20_000) } });
    expect(big.status).toBe(431);
    const hugeReturnUrl = await new TestBrowser({ origin }).navigate(`/bff/login?returnUrl=/${'a'.repeat(9000)}`);
    expect(hugeReturnUrl.status).toBeLessThan(500);
  });

  it('logs the journeys without a code, state or session id (runs last)', () => {
    const logs = logLines.join('');
    expect(logLines.length).toBeGreaterThan(20);
    expect(logs).toContain('/bff/callback');
    expect(secrets.size).toBeGreaterThan(10);
    for (const secret of secrets) expect(logs).not.toContain(secret);
  });
});
