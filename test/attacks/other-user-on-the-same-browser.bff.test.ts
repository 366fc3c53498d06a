import { randomBytes } from 'node:crypto';
import { createBff, createTokenCipher, loadBffConfig, SessionStore } from '@gatehouse/bff';
import { discoverProvider, requestTokens, TokenEndpointError } from '@gatehouse/oidc-client';
import { openMemoryStore, type Store } from '@gatehouse/store';
import { freePort, loginAtProvider, type ProviderPeer, startProviderPeer, TestBrowser } from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The attacker is the next user of a shared computer: they sign in to the app with their own
 * account in the browser the victim used. The victim's session must not outlive that sign-in —
 * neither at the BFF nor as a refresh token at the provider. The BFF is on `localhost`, the
 * provider on `127.0.0.1` (another site), so the callback, a redirect from the provider, carries
 * no `SameSite=Strict` session cookie, exactly as in a real browser.
 */

const sessionCookie = '__Host-gh-session';

let peer: ProviderPeer;
let bff: FastifyInstance;
let store: Store;
let sessions: SessionStore;
let origin: string;

beforeAll(async () => {
  const port = await freePort();
  origin = `http://localhost:${port}`;
  peer = await startProviderPeer({ redirectUri: `${origin}/bff/callback` });
  const key = randomBytes(32).toString('base64url');
  const config = loadBffConfig({
    publicUrl: origin,
    issuer: peer.issuer,
    clientId: peer.client.clientId,
    clientSecret: peer.client.clientSecret,
    scopes: ['openid', 'profile', 'offline_access'],
    tokenEncryptionKeys: [key],
  });
  store = openMemoryStore();
  // The test's own view of the records, to learn the refresh token a session held.
  sessions = new SessionStore(store, createTokenCipher([key]), {
    idleTimeoutSeconds: config.sessionIdleTimeoutSeconds,
    absoluteTimeoutSeconds: config.sessionAbsoluteTimeoutSeconds,
  });
  bff = await createBff(config, { store });
  await bff.listen({ port, host: '127.0.0.1' });
});
afterAll(async () => {
  await bff?.close();
  await peer?.stop();
});

/** Signs in through the app's "sign in" link and the provider's pages; returns the session cookie. */
async function signIn(browser: TestBrowser, sub: string, atProvider: TestBrowser) {
  const start = await browser.navigate('/bff/login?returnUrl=/');
  expect(start.status).toBe(302);
  const callback = await loginAtProvider(start.headers.get('location') as string, sub, atProvider);
  // The provider's redirect: a navigation another site started.
  const landing = await browser.navigate(callback.href, { from: peer.issuer });
  expect(landing.status).toBe(200);
  return browser.cookie(sessionCookie) as string;
}

async function refreshTokenOf(sessionId: string): Promise<string> {
  const loaded = await sessions.load(sessionId, Date.now());
  expect(loaded?.session.tokens.refreshToken).toBeTypeOf('string');
  return loaded?.session.tokens.refreshToken as string;
}

describe('another user on the same browser', () => {
  it("cannot use the previous user's session, and its refresh token is revoked at the provider", async () => {
    const shared = new TestBrowser({ origin: origin });
    const victimSession = await signIn(shared, 'victim', new TestBrowser());
    const victimRefreshToken = await refreshTokenOf(victimSession);

    // The next user signs in with their own account, on the same browser (the victim's provider
    // session is over; the app's session cookie is still there).
    const attackerSession = await signIn(shared, 'attacker', new TestBrowser());
    expect(attackerSession).not.toBe(victimSession);
    const own = await shared.fetch('/bff/user', { csrf: true });
    expect(((await own.json()) as { claims: { sub: string } }).claims.sub).toBe('attacker');

    // The victim's cookie value (kept from before, or found in the browser's profile) opens nothing.
    const withVictimCookie = new TestBrowser({ origin: origin });
    withVictimCookie.setCookie(sessionCookie, victimSession, { sameSite: 'strict' });
    const user = await withVictimCookie.fetch('/bff/user', { csrf: true });
    expect(user.status).toBe(401);
    expect(await sessions.load(victimSession, Date.now())).toBeUndefined();

    // And the victim's refresh token is dead at the provider, not just forgotten by the BFF.
    const metadata = await discoverProvider(peer.issuer);
    const refused = await requestTokens(metadata, peer.client, {
      grant_type: 'refresh_token',
      refresh_token: victimRefreshToken,
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TokenEndpointError);
    expect((refused as TokenEndpointError).oauthError).toBe('invalid_grant');
  });

  it("leaves the previous user's session alone when the second sign-in fails", async () => {
    const shared = new TestBrowser({ origin: origin });
    const victimSession = await signIn(shared, 'victim', new TestBrowser());

    // A sign-in that the provider refuses (the next user cancels) ...
    const refusedStart = await shared.navigate('/bff/login?returnUrl=/');
    const refusedState = new URL(refusedStart.headers.get('location') as string).searchParams.get('state') as string;
    const iss = encodeURIComponent(peer.issuer);
    const cancelled = await shared.navigate(`/bff/callback?error=access_denied&state=${refusedState}&iss=${iss}`, {
      from: peer.issuer,
    });
    expect(cancelled.headers.get('location')).toBe('/authentication/login-failed?error=access_denied');

    // ... and one whose code the provider does not know both end nowhere.
    const forgedStart = await shared.navigate('/bff/login?returnUrl=/');
    const forgedState = new URL(forgedStart.headers.get('location') as string).searchParams.get('state') as string;
    const forged = await shared.navigate(`/bff/callback?code=forged&state=${forgedState}&iss=${iss}`, {
      from: peer.issuer,
    });
    expect(forged.headers.get('location')).toBe('/authentication/login-failed?error=login_failed');

    expect(shared.cookie(sessionCookie)).toBe(victimSession);
    expect((await shared.fetch('/bff/user', { csrf: true })).status).toBe(200);
    const metadata = await discoverProvider(peer.issuer);
    const refreshed = await requestTokens(metadata, peer.client, {
      grant_type: 'refresh_token',
      refresh_token: await refreshTokenOf(victimSession),
    });
    expect(refreshed.access_token).toBeTypeOf('string');
  });
});
