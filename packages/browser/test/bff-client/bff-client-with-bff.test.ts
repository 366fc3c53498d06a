import { randomBytes } from 'node:crypto';
import { createBff, loadBffConfig } from '@gatehouse/bff';
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
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type BffUser, createBffClient, LoginRequiredError } from '../../src/bff-client/bff-client.js';

// The BFF client against a real BFF and the Gatehouse authorization server over loopback HTTP: the
// page's `fetch` is a cookie-keeping test browser on the BFF's origin, so every call the client makes
// is the one a page would make, answered by the real server.
describe('BFF client with a real BFF', () => {
  let provider: RunningAuthorizationServer;
  let bff: FastifyInstance;
  let origin: string;
  const clientSecret = randomBytes(24).toString('base64url');

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    provider = await startAuthorizationServer({
      clients: [
        {
          client_id: 'sdk-bff',
          client_secret: clientSecret,
          client_name: 'SDK',
          redirect_uris: [`${origin}/bff/callback`],
          post_logout_redirect_uris: [`${origin}/`],
          grant_types: ['authorization_code', 'refresh_token'],
          scope: 'openid profile email api',
          backchannel_logout_uri: `${origin}/bff/backchannel-logout`,
        },
      ],
    });
    bff = await createBff(
      loadBffConfig({
        publicUrl: origin,
        issuer: provider.issuer,
        clientId: 'sdk-bff',
        clientSecret,
        scopes: ['openid', 'profile'],
        optionalScopes: ['email'],
        tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
        store: 'memory',
      }),
      { store: openMemoryStore() },
    );
    await bff.listen({ port, host: '127.0.0.1' });
  });
  afterAll(async () => {
    bff?.server.closeAllConnections();
    await bff?.close();
    await provider?.close();
  }, 90_000);
  afterEach(() => vi.unstubAllGlobals());

  /** A page on the BFF's origin whose fetch is `browser`'s and whose navigations are recorded. */
  function pageOf(browser: TestBrowser) {
    const assigned: string[] = [];
    const storage = new Map<string, string>();
    vi.stubGlobal('location', {
      href: `${origin}/`,
      origin,
      pathname: '/',
      search: '',
      hash: '',
      assign: (url: string) => void assigned.push(url),
    });
    vi.stubGlobal('sessionStorage', {
      getItem: (key: string) => storage.get(key) ?? null,
      setItem: (key: string, value: string) => void storage.set(key, value),
      removeItem: (key: string) => void storage.delete(key),
    });
    vi.stubGlobal('fetch', (input: string | URL | Request, init: RequestInit = {}) =>
      browser.fetch(new URL(input instanceof Request ? input.url : String(input), origin).href, init),
    );
    return { assigned };
  }

  /** Follows a navigation the client started to the provider and back, signing in there. */
  async function completeSignIn(browser: TestBrowser, providerBrowser: TestBrowser, path: string) {
    const start = await browser.navigate(path);
    const callback = await providerBrowser.authorize(start.headers.get('location') as string, `${origin}/bff/callback`);
    await browser.navigate(callback.href);
  }

  it('learns of a back-channel logout at its next poll: onSessionEnded, then signed out', async () => {
    const browser = new TestBrowser({ origin });
    const providerBrowser = new TestBrowser();
    const page = pageOf(browser);
    const client = createBffClient({
      userFactory: (user) => ({
        ...user,
        claims: { ...user.claims, methods: (user.claims.amr as string[]).map((value) => ({ type: 'amr', value })) },
      }),
    });
    client.login({ returnUrl: '/' });
    await completeSignIn(browser, providerBrowser, page.assigned.at(-1) as string);
    const user = (await client.user()) as BffUser;
    expect(user.claims.email).toBeUndefined();
    expect(user.claims.methods).toEqual([{ type: 'amr', value: 'pwd' }]);
    expect(user.scopes.sort()).toEqual(['openid', 'profile']);
    const ended: string[] = [];
    client.onSessionEnded((reason) => ended.push(reason));

    // The user signs out at the provider; it tells the BFF over the back channel.
    const profile = await (await providerBrowser.navigate(`${provider.issuer}/profile`)).text();
    const { action, fields } = parseForm(profile.slice(profile.lastIndexOf('<form')), `${provider.issuer}/profile`);
    expect((await providerBrowser.post(action, fields)).status).toBe(303);

    // A poll that does not extend the session notices.
    for (let polls = 0; polls < 50 && ended.length === 0; polls += 1)
      await client.user({ refresh: true, slide: false });
    expect(ended).toHaveLength(1);
    expect(await client.user()).toBeNull();
    await expect(client.fetch('/bff/user')).rejects.toBeInstanceOf(LoginRequiredError);
    expect(ended).toHaveLength(1);
  });

  it('adds a scope with login({ scopes }) and sees it granted in user().scopes', async () => {
    const browser = new TestBrowser({ origin });
    const providerBrowser = new TestBrowser();
    const page = pageOf(browser);
    const client = createBffClient();
    client.login();
    await completeSignIn(browser, providerBrowser, page.assigned.at(-1) as string);
    expect((await client.user())?.scopes).not.toContain('email');
    client.login({ scopes: ['email'], returnUrl: '/settings' });
    await completeSignIn(browser, providerBrowser, page.assigned.at(-1) as string);
    const upgraded = await client.user({ refresh: true });
    expect(upgraded?.scopes).toContain('email');
    expect(upgraded?.claims.email).toBe(demoUser.email);
  });
});
