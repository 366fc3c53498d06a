import { randomBytes } from 'node:crypto';
import { openMemoryStore } from '@gatehouse/store';
import {
  freePort,
  parseForm,
  type RunningAuthorizationServer,
  startAuthorizationServer,
  TestBrowser,
} from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBff } from '../src/app.js';
import { loadBffConfig } from '../src/config/bff-config.js';
import { OfflineAccessError } from '../src/offline/offline-grants.js';
import { startUpstreamApi } from './upstream-api.js';

// Offline access with the Gatehouse authorization server: the user grants it from a session, signs
// out, and server code still acts for them — until they revoke the app on the provider's profile page.
describe('BFF offline access (asUser)', () => {
  let provider: RunningAuthorizationServer;
  let bff: FastifyInstance;
  let origin: string;
  let api: Awaited<ReturnType<typeof startUpstreamApi>>;
  const clientSecret = randomBytes(24).toString('base64url');

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    api = await startUpstreamApi();
    provider = await startAuthorizationServer({
      resources: [api.url],
      clients: [
        {
          client_id: 'offline-bff',
          client_secret: clientSecret,
          client_name: 'Scheduler',
          redirect_uris: [`${origin}/bff/callback`],
          post_logout_redirect_uris: [`${origin}/`],
          grant_types: ['authorization_code', 'refresh_token'],
          scope: 'openid profile offline_access api',
        },
      ],
    });
    bff = await createBff(
      loadBffConfig({
        publicUrl: origin,
        issuer: provider.issuer,
        clientId: 'offline-bff',
        clientSecret,
        scopes: ['openid', 'profile', 'api'],
        tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
        store: 'memory',
        offlineAccess: { enabled: true },
        routes: [{ path: '/api', target: api.url, token: 'user' }],
      }),
      { store: openMemoryStore() },
    );
    await bff.listen({ port, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await bff?.close();
    await provider?.close();
    await api?.stop();
  });

  it('grants offline access from a session, keeps working after sign-out, and stops once revoked', async () => {
    const browser = new TestBrowser({ origin });
    const providerBrowser = new TestBrowser();
    const login = await browser.navigate('/bff/login?returnUrl=/');
    await browser.navigate(
      (await providerBrowser.authorize(login.headers.get('location') as string, `${origin}/bff/callback`)).href,
    );
    const { claims } = (await (await browser.fetch('/bff/user', { csrf: true })).json()) as {
      claims: { sub: string };
    };
    expect(await (await browser.fetch('/bff/offline', { csrf: true })).json()).toEqual({ granted: false });
    await expect(bff.offlineGrants.asUser(claims.sub, [], async () => 'never')).rejects.toMatchObject({
      reason: 'not_granted',
    });

    // The grant: consent is asked again, naming offline access.
    const grant = await browser.navigate('/bff/offline/grant?returnUrl=/settings');
    const consent = await providerBrowser.follow(grant.headers.get('location') as string, `${origin}/bff/callback`);
    const page = await consent.response.text();
    expect(page).toMatch(/not using the app/i);
    const back = await providerBrowser.submit(consent.url, page, { decision: 'allow' }, `${origin}/bff/callback`);
    const landing = await browser.navigate(back.url);
    expect(await landing.text()).toContain('/settings');
    const status = (await (await browser.fetch('/bff/offline', { csrf: true })).json()) as {
      granted: boolean;
      scope: string;
    };
    expect(status.granted).toBe(true);
    expect(status.scope.split(' ')).toContain('offline_access');

    // The user signs out everywhere; the offline grant is not tied to that session.
    const logout = await browser.fetch('/bff/logout', {
      method: 'POST',
      csrf: true,
      headers: { accept: 'application/json' },
    });
    const { redirectTo } = (await logout.json()) as { redirectTo: string };
    await providerBrowser.follow((await browser.navigate(redirectTo)).headers.get('location') as string, origin);
    expect((await browser.fetch('/bff/user', { csrf: true })).status).toBe(401);

    const seen = await bff.offlineGrants.asUser(claims.sub, ['api'], async (token) => {
      const response = await fetch(`${api.url}/scheduled`, { headers: { authorization: `Bearer ${token}` } });
      return response.status;
    });
    expect(seen).toBe(200);
    expect(api.seen.at(-1)?.headers.authorization).toMatch(/^Bearer eyJ/);
    // Twice in a row: the rotated refresh token was written back.
    expect(await bff.offlineGrants.asUser(claims.sub, [], async (token) => token.length > 0)).toBe(true);

    // The user revokes the app on the provider's profile page: the next call fails cleanly.
    const signIn = await providerBrowser.navigate(`${provider.issuer}/login`);
    const form = parseForm(await signIn.text(), `${provider.issuer}/login`);
    await providerBrowser.post(form.action, {
      ...form.fields,
      email: 'alice@example.com',
      password: 'correct horse battery staple',
    });
    const profile = await (await providerBrowser.navigate(`${provider.issuer}/profile`)).text();
    const revokeForm = profile.slice(profile.indexOf('/profile/revoke') - 200);
    const revoke = parseForm(revokeForm.slice(revokeForm.indexOf('<form')), `${provider.issuer}/profile`);
    expect(revoke.fields.client_id).toBe('offline-bff');
    expect((await providerBrowser.post(revoke.action, revoke.fields)).status).toBe(303);
    const failure = await bff.offlineGrants
      .asUser(claims.sub, [], async () => 'never')
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OfflineAccessError);
    expect(failure).toMatchObject({ reason: 'revoked' });
    await expect(bff.offlineGrants.asUser(claims.sub, [], async () => 'never')).rejects.toMatchObject({
      reason: 'not_granted',
    });
  });

  it('refuses a grant without a session, and /bff/offline needs the CSRF header', async () => {
    const anonymous = new TestBrowser({ origin });
    const grant = await anonymous.navigate('/bff/offline/grant');
    expect(grant.status).toBe(303);
    expect(grant.headers.get('location')).toBe('/authentication/login-failed?error=login_required');
    expect((await anonymous.navigate('/bff/offline')).status).toBe(403);
    expect((await anonymous.fetch('/bff/offline', { csrf: true })).status).toBe(401);
  });
});
