import { randomBytes } from 'node:crypto';
import { createRequestVerifier } from '@gatehouse/resource-server';
import { openMemoryStore } from '@gatehouse/store';
import {
  demoUser,
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
import { startUpstreamApi } from './upstream-api.js';

// The BFF with Gatehouse's own authorization server as its provider, both over real HTTP: login,
// a proxied call whose token the resource-server core accepts, and logout at the provider reaching
// the BFF over the back channel.
describe('BFF with the Gatehouse authorization server', () => {
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
          client_id: 'demo-bff',
          client_secret: clientSecret,
          client_name: 'Demo',
          redirect_uris: [`${origin}/bff/callback`],
          post_logout_redirect_uris: [`${origin}/`],
          grant_types: ['authorization_code', 'refresh_token'],
          scope: 'openid profile email offline_access api',
          backchannel_logout_uri: `${origin}/bff/backchannel-logout`,
        },
      ],
    });
    const config = loadBffConfig({
      publicUrl: origin,
      issuer: provider.issuer,
      clientId: 'demo-bff',
      clientSecret,
      scopes: ['openid', 'profile', 'email', 'api'],
      tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
      store: 'memory',
      routes: [{ path: '/api', target: api.url, token: 'user', scopes: ['api'] }],
    });
    bff = await createBff(config, { store: openMemoryStore() });
    await bff.listen({ port, host: '127.0.0.1' });
  });
  afterAll(async () => {
    // Keep-alive connections would hold close() until their timeout on a loaded machine (issue #17's
    // slow shutdown): this suite is done with them.
    bff?.server.closeAllConnections();
    await bff?.close();
    await provider?.close();
    await api?.stop();
  }, 90_000);

  async function logIn(browser: TestBrowser, providerBrowser: TestBrowser) {
    const start = await browser.navigate('/bff/login?returnUrl=/todos');
    expect(start.status).toBe(302);
    const callback = await providerBrowser.authorize(start.headers.get('location') as string, `${origin}/bff/callback`);
    expect(callback.searchParams.get('iss')).toBe(provider.issuer);
    const landing = await browser.navigate(callback.href);
    expect(landing.status).toBe(200);
  }

  it('signs in, proxies with an access token the API accepts, and signs out at the provider', async () => {
    const browser = new TestBrowser({ origin });
    const providerBrowser = new TestBrowser();
    await logIn(browser, providerBrowser);
    const user = (await (await browser.fetch('/bff/user', { csrf: true })).json()) as {
      claims: Record<string, unknown>;
    };
    expect(user.claims).toMatchObject({
      iss: provider.issuer,
      email: demoUser.email,
      name: demoUser.name,
      amr: ['pwd'],
    });

    const proxied = await browser.fetch('/api/todos', { csrf: true });
    expect(proxied.status).toBe(200);
    const authorization = api.seen.at(-1)?.headers.authorization as string;
    const verifier = createRequestVerifier({ issuer: provider.issuer, audience: api.url });
    const principal = await verifier.verify({ authorization }, { allOf: ['api'] });
    expect(principal.subject).toBe(user.claims.sub);

    const logout = await browser.fetch('/bff/logout', {
      method: 'POST',
      csrf: true,
      headers: { accept: 'application/json' },
    });
    const { redirectTo: continuation } = (await logout.json()) as { redirectTo: string };
    const redirectTo = (await browser.navigate(continuation)).headers.get('location') as string;
    expect(redirectTo.startsWith(`${provider.issuer}/logout?`)).toBe(true);
    // The ID token hint makes the provider end its session without asking, and return to the app.
    const back = await providerBrowser.follow(redirectTo, origin);
    expect(back.url).toBe(`${origin}/`);
    const silent = await browser.navigate('/bff/silent-login?returnUrl=/');
    const answer = await providerBrowser.follow(silent.headers.get('location') as string, `${origin}/bff/callback`);
    expect(new URL(answer.url).searchParams.get('error')).toBe('login_required');
  });

  it('ends the BFF session when the user signs out at the provider (back-channel logout)', async () => {
    const browser = new TestBrowser({ origin });
    const providerBrowser = new TestBrowser();
    await logIn(browser, providerBrowser);
    expect((await browser.fetch('/bff/user', { csrf: true })).status).toBe(200);

    const profile = await providerBrowser.navigate(`${provider.issuer}/profile`);
    const page = await profile.text();
    const signOutForm = page.slice(page.lastIndexOf('<form'));
    const { action, fields } = parseForm(signOutForm, `${provider.issuer}/profile`);
    expect(action).toBe(`${provider.issuer}/profile/logout`);
    expect((await providerBrowser.post(action, fields)).status).toBe(303);

    await waitFor(async () => (await browser.fetch('/bff/user', { csrf: true })).status === 401);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
