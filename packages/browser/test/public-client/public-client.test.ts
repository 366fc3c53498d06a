import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SignInError } from '../../src/public-client/errors.js';
import { createPublicClient } from '../../src/public-client/public-client.js';
import {
  authorizationParams,
  clientId,
  fakeEnvironment,
  fakeLocks,
  idTokenClaims,
  issuer,
  jwt,
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
  vi.stubGlobal('BroadcastChannel', fakeBroadcastChannel());
  vi.stubGlobal('document', {});
  vi.stubGlobal('location', location);
  vi.stubGlobal('history', history);
  vi.stubGlobal('sessionStorage', sessionStorage);
  vi.stubGlobal('navigator', { locks });
  vi.stubGlobal('fetch', context.fetch);
  return { env, providerFetch: context.fetch, location, assigned, replaced, sessionStorage, locks };
}

/**
 * `BroadcastChannel` between the clients of one test (its "tabs"): each message reaches every other
 * channel of the same name, as a structured clone, a task later — never the sender.
 */
function fakeBroadcastChannel() {
  const open: { name: string; onmessage: ((event: { data: unknown }) => void) | null }[] = [];
  return class {
    onmessage: ((event: { data: unknown }) => void) | null = null;
    constructor(readonly name: string) {
      open.push(this);
    }
    postMessage(message: unknown) {
      const data = structuredClone(message);
      for (const other of open.filter((channel) => channel !== this && channel.name === this.name)) {
        setTimeout(() => other.onmessage?.({ data }), 0);
      }
    }
  };
}

/** Signs a client in through the stubbed page: signIn, then the provider's redirect back. */
async function signedIn(
  options: Partial<Parameters<typeof createPublicClient>[0]> = {},
  idTokenExtra: Record<string, unknown> = {},
) {
  const page = stubPage();
  const client = createPublicClient({ authority: issuer, clientId, redirectUri: appPage, ...options });
  await client.signIn({ state: { draft: 'unsaved' } });
  const params = authorizationParams(page.assigned[0] as string);
  page.env.tokenAnswers.push(
    tokenResponse(params.nonce, start, { id_token: jwt(idTokenClaims(params.nonce, start, idTokenExtra)) }),
  );
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

  it('opens no BroadcastChannel outside a page (a server rendering the app)', () => {
    const opened = vi.fn();
    vi.stubGlobal('BroadcastChannel', opened);
    createPublicClient({ authority: issuer, clientId, redirectUri: appPage });
    expect(opened).not.toHaveBeenCalled();
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

  it('hands the state given at sign-out back once on the logged-out page (OnLogoutSucceeded)', async () => {
    const { client } = await signedIn();
    expect(client.takeLogoutState()).toBeUndefined();
    await client.signOut({ state: { from: '/todos', note: 'see you' } });
    expect(client.takeLogoutState()).toEqual({ from: '/todos', note: 'see you' });
    expect(client.takeLogoutState()).toBeUndefined();
  });

  it('is a TypeError to try a silent sign-in without silentRedirectUri', async () => {
    stubPage();
    const client = createPublicClient({ authority: issuer, clientId, redirectUri: appPage });
    expect(await rejection(client.trySilentSignIn())).toBeInstanceOf(TypeError);
  });

  it('builds the user with userFactory once per change, one amr claim per method as the Blazor sample does', async () => {
    type Claim = { type: string; value: string };
    const built: Claim[][] = [];
    const { client } = await signedIn(
      {
        userFactory: (claims) => {
          const list = Object.entries(claims).flatMap(([type, value]) =>
            (Array.isArray(value) ? value : [value]).map((item) => ({ type, value: String(item) })),
          );
          built.push(list);
          return list;
        },
      },
      { amr: ['pwd', 'otp'] },
    );
    const user = client.user() as unknown as Claim[];
    expect(user.filter(({ type }) => type === 'amr')).toEqual([
      { type: 'amr', value: 'pwd' },
      { type: 'amr', value: 'otp' },
    ]);
    expect(user).toContainEqual({ type: 'sub', value: 'alice' });
    // The same object until the user changes: a UI can compare snapshots by identity.
    expect(client.user()).toBe(user);
    expect(built).toHaveLength(1);
  });

  it('tells onUserChange listeners of a sign-in and a sign-out, until they unsubscribe', async () => {
    const page = stubPage();
    const client = createPublicClient({ authority: issuer, clientId, redirectUri: appPage });
    const seen: unknown[] = [];
    const unsubscribe = client.onUserChange((user) => seen.push(user && (user as { sub: string }).sub));
    const ended = vi.fn();
    client.onSessionEnded(ended);
    await client.signIn();
    const params = authorizationParams(page.assigned[0] as string);
    page.env.tokenAnswers.push(tokenResponse(params.nonce, start));
    await client.completeSignIn(`${appPage}?code=c&state=${params.state}&iss=${encodeURIComponent(issuer)}`);
    await client.signOut();
    unsubscribe();
    expect(seen).toEqual(['alice', null]);
    expect(ended).not.toHaveBeenCalled(); // a sign-out asked for here is not a session that ended
  });

  it('tells onSessionEnded listeners when the provider refuses the refresh token', async () => {
    const { client, page } = await signedIn({ renewalMarginSeconds: 100_000 });
    const ended = vi.fn();
    const users: unknown[] = [];
    client.onSessionEnded(ended);
    client.onUserChange((user) => users.push(user));
    page.env.tokenAnswers.push({ status: 400, json: { error: 'invalid_grant' } });
    expect(await client.requestAccessToken()).toMatchObject({ status: 'redirect' });
    expect(ended).toHaveBeenCalledTimes(1);
    expect(users).toEqual([null]);
    expect(client.user()).toBeNull();
  });

  it('tells onTokenExpiring listeners when the access token comes within the renewal margin', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    vi.setSystemTime(start);
    const { client } = await signedIn({ renewalMarginSeconds: 60 });
    const expiring = vi.fn();
    client.onTokenExpiring(expiring);
    vi.advanceTimersByTime(239_000);
    expect(expiring).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_000); // 60 s before the 300 s token expires
    expect(expiring).toHaveBeenCalledWith({ expiresAt: start + 300_000 });
  });

  it('takes per-call scopes and authorizes the page’s own origin by default', async () => {
    const { client, page } = await signedIn({ scopes: ['openid', 'api', 'api:read'] });
    const seen: (string | null)[] = [];
    const inner = async (_input: string | URL | Request, init?: RequestInit) => {
      seen.push(new Headers(init?.headers).get('authorization'));
      return new Response('ok');
    };
    page.env.tokenAnswers.push({ json: { access_token: 'read-only', expires_in: 300 } });
    const local = client.createAuthorizedFetch(undefined, { scopes: ['api:read'], fetch: inner });
    await local('/todos');
    await local('https://elsewhere.test/todos');
    expect(seen).toEqual(['Bearer read-only', null]);
    expect(page.env.sent.at(-1)?.form.get('scope')).toBe('api:read');
    expect(await client.requestAccessToken({ scopes: ['api:read'] })).toMatchObject({ accessToken: 'read-only' });
  });
});

describe('createPublicClient in several tabs', () => {
  /** A second tab of the same app: the same origin's storage, locks and channel, a client of its own. */
  const openTab = (options: Partial<Parameters<typeof createPublicClient>[0]> = {}) =>
    createPublicClient({ authority: issuer, clientId, redirectUri: appPage, ...options });
  const signedInAs = (client: ReturnType<typeof openTab>) =>
    new Promise<unknown>((resolve) => {
      if (client.user()) resolve(client.user());
      client.onUserChange(resolve);
    });

  it('starts a new tab signed in when another tab is, without a request to the provider', async () => {
    const { page } = await signedIn();
    const sent = page.env.sent.length;
    const second = openTab();
    expect(await signedInAs(second)).toMatchObject({ sub: 'alice' });
    expect(await second.requestAccessToken()).toMatchObject({ status: 'ok', accessToken: 'access-1' });
    expect(page.env.sent).toHaveLength(sent);
  });

  it('renews once for two tabs asking at the same time: the one that waited takes the other’s tokens', async () => {
    const { client: first, page } = await signedIn();
    const second = openTab();
    await signedInAs(second);
    vi.setSystemTime(start + 250_000); // both tabs' token is within the margin
    page.env.tokenAnswers.push({ json: { access_token: 'access-2', expires_in: 300, refresh_token: 'refresh-2' } });
    const sent = page.env.sent.length;
    const [one, two] = await Promise.all([first.requestAccessToken(), second.requestAccessToken()]);
    expect(page.env.sent.length - sent).toBe(1);
    expect(one).toMatchObject({ status: 'ok', accessToken: 'access-2' });
    expect(two).toMatchObject({ status: 'ok', accessToken: 'access-2' });
  });

  it('ends the session in the other tabs when one signs out', async () => {
    const { client: first } = await signedIn();
    const second = openTab();
    await signedInAs(second);
    const ended = new Promise<void>((resolve) => second.onSessionEnded(resolve));
    await first.signOut();
    await ended;
    expect(second.user()).toBeNull();
  });

  it('keeps each tab to itself with shareTokensAcrossTabs: false', async () => {
    await signedIn({ shareTokensAcrossTabs: false });
    const second = openTab({ shareTokensAcrossTabs: false });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(second.user()).toBeNull();
  });
});
