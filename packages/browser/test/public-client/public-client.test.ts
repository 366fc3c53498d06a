import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SignInError } from '../../src/public-client/errors.js';
import { createPublicClient } from '../../src/public-client/public-client.js';
import {
  authorizationParams,
  clientId,
  fakeEnvironment,
  fakeLocks,
  issuer,
  memoryStorage,
  rejection,
  start,
  tokenResponse,
} from './fake-environment.js';

const appPage = 'https://app.test/app.html';

/**
 * Stubs the page globals createPublicClient is wired to — location, history, sessionStorage,
 * navigator.locks, fetch — with fakes; the scripted provider answers behind fetch.
 */
function stubPage(href = appPage) {
  const { env, context } = fakeEnvironment();
  const assigned: string[] = [];
  const replaced: string[] = [];
  const location = {
    href,
    get origin() {
      return new URL(this.href).origin;
    },
    get pathname() {
      return new URL(this.href).pathname;
    },
    get search() {
      return new URL(this.href).search;
    },
    get hash() {
      return new URL(this.href).hash;
    },
    assign: (url: string) => void assigned.push(url),
  };
  const history = {
    state: null,
    replaceState(_state: unknown, _unused: string, url: string) {
      replaced.push(url);
      location.href = new URL(url, location.href).href;
    },
  };
  const sessionStorage = memoryStorage();
  const locks = fakeLocks();
  vi.stubGlobal('location', location);
  vi.stubGlobal('history', history);
  vi.stubGlobal('sessionStorage', sessionStorage);
  vi.stubGlobal('navigator', { locks });
  vi.stubGlobal('fetch', context.fetch);
  return { env, providerFetch: context.fetch, location, assigned, replaced, sessionStorage, locks };
}

/** Signs a client in through the stubbed page: signIn, then the provider's redirect back. */
async function signedIn(options: Partial<Parameters<typeof createPublicClient>[0]> = {}) {
  const page = stubPage();
  const client = createPublicClient({ authority: issuer, clientId, redirectUri: appPage, ...options });
  await client.signIn({ state: { draft: 'unsaved' } });
  const params = authorizationParams(page.assigned[0] as string);
  page.env.tokenAnswers.push(tokenResponse(params.nonce, start));
  page.location.href = `${appPage}?code=c&state=${params.state}&iss=${encodeURIComponent(issuer)}`;
  const completed = await client.completeSignIn();
  return { client, page, params, completed };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(start);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('createPublicClient', () => {
  it('touches nothing of the page when created, so it can be created before there is one', () => {
    expect(() => createPublicClient({ authority: issuer, clientId, redirectUri: appPage })).not.toThrow();
  });

  it('signs in: to the provider with PKCE, back to the current page with the app state', async () => {
    const page = stubPage(`${appPage}?tab=2#top`);
    const client = createPublicClient({ authority: issuer, clientId, redirectUri: appPage, scopes: ['openid', 'api'] });
    await client.signIn();
    const params = authorizationParams(page.assigned[0] as string);
    expect(params).toMatchObject({
      client_id: clientId,
      redirect_uri: appPage,
      scope: 'openid api',
      code_challenge_method: 'S256',
    });
    const transaction = JSON.parse(page.sessionStorage.getItem(`gatehouse.signin.${params.state}`) as string);
    expect(transaction.returnUrl).toBe('/app.html?tab=2#top');
  });

  it('completes the sign-in: the code leaves the address bar, the tokens stay in memory only', async () => {
    const { client, page, completed } = await signedIn({ userFactory: (claims) => ({ ...claims, shaped: true }) });
    expect(completed).toEqual({ returnUrl: '/app.html', state: { draft: 'unsaved' } });
    expect(page.replaced).toEqual(['/app.html']);
    expect(client.user()).toMatchObject({ sub: 'alice', shaped: true });
    expect([...page.sessionStorage.items.keys()]).toEqual([]); // the transaction and app state are spent
  });

  it('cleans the address bar of a refused response too, and refuses it by code', async () => {
    const page = stubPage(`${appPage}?code=forged&state=${'A'.repeat(43)}`);
    const client = createPublicClient({ authority: issuer, clientId, redirectUri: appPage });
    const failure = await rejection(client.completeSignIn());
    expect(failure).toBeInstanceOf(SignInError);
    expect((failure as SignInError).code).toBe('invalid_state');
    expect(page.replaced).toEqual(['/app.html']);
    expect(client.user()).toBeNull();
  });

  it('renews under navigator.locks and sends the token only to the authorized prefix', async () => {
    const { client, page } = await signedIn({ renewalMarginSeconds: 100_000 });
    page.env.tokenAnswers.push({ json: { access_token: 'access-2', expires_in: 300 } });
    expect(await client.requestAccessToken()).toMatchObject({ status: 'ok', accessToken: 'access-2' });
    expect(page.locks.names).toEqual([`gatehouse-renew:${clientId}`]);
    // The page's fetch as it is when called, not as it was when the client was made.
    const seen: { url: string; authorization: string | null }[] = [];
    vi.stubGlobal('fetch', async (input: string | URL | Request, init?: RequestInit) => {
      const request = new Request(input, init);
      if (request.url.startsWith(issuer)) return page.providerFetch(request);
      seen.push({ url: request.url, authorization: request.headers.get('authorization') });
      return new Response('ok');
    });
    page.env.tokenAnswers.push({ json: { access_token: 'access-3', expires_in: 300 } });
    const api = client.createAuthorizedFetch(['https://api.test/v1']);
    await api('https://api.test/v1/todos');
    await api('https://elsewhere.test/v1/todos');
    expect(seen).toEqual([
      { url: 'https://api.test/v1/todos', authorization: 'Bearer access-3' },
      { url: 'https://elsewhere.test/v1/todos', authorization: null },
    ]);
  });

  it('signs out: forgets the user and goes to the provider’s end-session endpoint', async () => {
    const { client, page } = await signedIn();
    await client.signOut();
    expect(client.user()).toBeNull();
    const url = new URL(page.assigned.at(-1) as string);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe('https://app.test/');
    expect(url.searchParams.get('client_id')).toBe(clientId);
  });

  it('is a TypeError to try a silent sign-in without silentRedirectUri', async () => {
    stubPage();
    const client = createPublicClient({ authority: issuer, clientId, redirectUri: appPage });
    expect(await rejection(client.trySilentSignIn())).toBeInstanceOf(TypeError);
  });
});
