import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BffUnavailableError,
  type BffUser,
  createBffClient,
  LoginRequiredError,
} from '../../src/bff-client/bff-client.js';

const origin = 'https://app.example';

/** What the client reaches of the page: an address, its history, sessionStorage and a scripted BFF. */
function fakePage(answer: (url: URL, init: RequestInit) => Response | Promise<Response>) {
  const storage = new Map<string, string>();
  const assigned: string[] = [];
  const requests: { url: URL; init: RequestInit; input: unknown }[] = [];
  const location = {
    href: `${origin}/todos?tab=2`,
    origin,
    pathname: '/todos',
    search: '?tab=2',
    hash: '',
    assign: (url: string) => void assigned.push(url),
  };
  vi.stubGlobal('location', location);
  vi.stubGlobal('history', {
    state: null,
    replaceState: (_state: unknown, _unused: string, url: string) => {
      const next = new URL(url, origin);
      Object.assign(location, { href: next.href, pathname: next.pathname, search: next.search, hash: next.hash });
    },
  });
  vi.stubGlobal('sessionStorage', {
    getItem: (key: string) => storage.get(key) ?? null,
    setItem: (key: string, value: string) => void storage.set(key, value),
    removeItem: (key: string) => void storage.delete(key),
  });
  vi.stubGlobal('fetch', async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input), origin);
    requests.push({ url, init, input });
    return answer(url, init);
  });
  return { location, storage, assigned, requests };
}

const alice: BffUser = {
  claims: { sub: 'alice-sub', name: 'Alice', amr: ['pwd', 'otp'] },
  scopes: ['openid', 'profile'],
  session: { issuedAt: 1, expiresAt: 2, absoluteExpiresAt: 3 },
};
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

afterEach(() => vi.unstubAllGlobals());

describe('BFF client fetch', () => {
  it('adds x-csrf to same-origin calls and never to another origin', async () => {
    const page = fakePage(() => new Response('ok'));
    const bff = createBffClient();
    await bff.fetch('/api/todos');
    await bff.fetch(`${origin}/api/todos`, { headers: { accept: 'application/json' } });
    await bff.fetch(new Request(`${origin}/api/x`, { headers: { 'x-trace': '1' } }));
    await bff.fetch('https://api.other.example/v1/items');
    await bff.fetch('//app.example.evil.test/steal');
    await bff.fetch(new Request('https://sibling.app.example/x'));
    const csrf = page.requests.map(({ init }) => new Headers(init.headers).get('x-csrf'));
    expect(csrf).toEqual(['1', '1', '1', null, null, null]);
    expect(new Headers(page.requests[1]?.init.headers).get('accept')).toBe('application/json');
    expect(new Headers(page.requests[2]?.init.headers).get('x-trace')).toBe('1');
  });

  it('hands a streamed body to fetch untouched', async () => {
    const page = fakePage(() => new Response('ok'));
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('chunk'));
        controller.close();
      },
    });
    await createBffClient().fetch('/api/upload', { method: 'POST', body, duplex: 'half' } as RequestInit);
    expect(page.requests[0]?.init.body).toBe(body);
    expect(body.locked).toBe(false);
  });

  it('turns a same-origin 401 into LoginRequiredError whose redirect keeps state, and tells that the session ended', async () => {
    const page = fakePage((url) =>
      url.pathname === '/bff/user' ? json(alice) : json({ error: 'unauthorized', reason: 'session_ended' }, 401),
    );
    const bff = createBffClient();
    const reasons: string[] = [];
    const users: (BffUser | null)[] = [];
    bff.onSessionEnded((reason) => reasons.push(reason));
    bff.onUserChange((user) => users.push(user));
    await bff.user();
    const error = await bff.fetch('/api/todos').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoginRequiredError);
    expect((error as LoginRequiredError).reason).toBe('session_ended');
    expect(reasons).toEqual(['session_ended']);
    expect(users.map((user) => user?.claims.sub ?? null)).toEqual(['alice-sub', null]);
    expect(await bff.user()).toBeNull();
    (error as LoginRequiredError).redirect({ state: { draft: 'hello' } });
    const login = new URL(page.assigned[0] as string, origin);
    expect(login.pathname).toBe('/bff/login');
    const back = new URL(login.searchParams.get('returnUrl') as string, origin);
    expect(back.pathname).toBe('/todos');
  });

  it('does not report a session ended when none was seen, nor after the app signs out', async () => {
    let signedIn = false;
    fakePage((url) => {
      if (url.pathname === '/bff/logout') return json({ redirectTo: 'https://id.example/logout' });
      return signedIn ? json(alice) : json({ error: 'unauthorized', reason: 'no_session' }, 401);
    });
    const bff = createBffClient();
    const reasons: string[] = [];
    bff.onSessionEnded((reason) => reasons.push(reason));
    expect(await bff.user()).toBeNull();
    signedIn = true;
    expect((await bff.user({ refresh: true }))?.claims.sub).toBe('alice-sub');
    await bff.logout();
    signedIn = false;
    expect(await bff.user({ refresh: true })).toBeNull();
    expect(reasons).toEqual([]);
  });
});

describe('BFF client user()', () => {
  it('shapes the user with userFactory: one entry per amr method', async () => {
    fakePage(() => json(alice));
    const bff = createBffClient({
      userFactory: (user) => ({
        ...user,
        claims: {
          ...user.claims,
          methods: (user.claims.amr as string[]).map((method) => ({ type: 'amr', value: method })),
        },
      }),
    });
    const user = await bff.user();
    expect(user?.claims.methods).toEqual([
      { type: 'amr', value: 'pwd' },
      { type: 'amr', value: 'otp' },
    ]);
    expect(user?.scopes).toEqual(['openid', 'profile']);
  });

  it('asks with slide=false unless refreshed, and a poll may refresh without sliding', async () => {
    const page = fakePage(() => json(alice));
    const bff = createBffClient();
    await bff.user();
    await bff.user({ refresh: true });
    await bff.user({ refresh: true, slide: false });
    expect(page.requests.map(({ url }) => url.search)).toEqual(['?slide=false', '?slide=true', '?slide=false']);
    expect(new Headers(page.requests[0]?.init.headers).get('x-csrf')).toBe('1');
  });

  it('a 503 during an outage is BffUnavailableError with Retry-After, and does not sign the user out', async () => {
    let down = false;
    fakePage(() => (down ? json({ error: 'temporarily_unavailable' }, 503, { 'retry-after': '7' }) : json(alice)));
    const bff = createBffClient();
    const users: (BffUser | null)[] = [];
    bff.onUserChange((user) => users.push(user));
    await bff.user();
    down = true;
    const error = await bff.user({ refresh: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BffUnavailableError);
    expect(error).toMatchObject({ code: 'ERR_BFF_UNAVAILABLE', status: 503, retryAfterSeconds: 7 });
    expect(users).toHaveLength(1);
    // Not remembered: the next call asks again, and the user is back.
    down = false;
    expect((await bff.user())?.claims.sub).toBe('alice-sub');
  });

  it('no answer at all, or a Retry-After date, is BffUnavailableError too', async () => {
    let mode: 'network' | 'date' = 'network';
    fakePage(() => {
      if (mode === 'network') throw new TypeError('Failed to fetch');
      return new Response('', { status: 502, headers: { 'retry-after': new Date(Date.now() + 30_000).toUTCString() } });
    });
    const bff = createBffClient();
    await expect(bff.user()).rejects.toMatchObject({ status: 0, retryAfterSeconds: undefined });
    mode = 'date';
    const error = (await bff.user().catch((e: unknown) => e)) as BffUnavailableError;
    expect(error.status).toBe(502);
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(28);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(31);
  });
});

describe('BFF client navigation', () => {
  it('login asks for more scopes and keeps returnUrl and state', () => {
    const page = fakePage(() => json(alice));
    createBffClient().login({ scopes: ['api', 'email'], returnUrl: '/reports', state: { tab: 3 } });
    const url = new URL(page.assigned[0] as string, origin);
    expect(url.pathname).toBe('/bff/login');
    expect(url.searchParams.get('scope')).toBe('api email');
    const back = new URL(url.searchParams.get('returnUrl') as string, origin);
    expect(back.pathname).toBe('/reports');
    expect(back.searchParams.get('gh-state')).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('silentLogin goes once per tab, and again only after a user was seen', async () => {
    let signedIn = false;
    const page = fakePage(() => (signedIn ? json(alice) : json({ reason: 'no_session' }, 401)));
    const bff = createBffClient({ prefix: '/auth' });
    expect(bff.silentLogin({ returnUrl: '/inbox' })).toBe(true);
    expect(page.assigned).toEqual([`/auth/silent-login?returnUrl=${encodeURIComponent('/inbox')}`]);
    // Back from the provider, still signed out: a second try on this load would loop.
    expect(bff.silentLogin()).toBe(false);
    expect(await bff.user()).toBeNull();
    expect(bff.silentLogin()).toBe(false);
    signedIn = true;
    await bff.user({ refresh: true });
    expect(bff.silentLogin()).toBe(true);
    expect(page.assigned).toHaveLength(2);
  });

  it('passes state through sign-out to the logged-out page, once', async () => {
    const page = fakePage(() => json({ redirectTo: 'https://id.example/logout?x=1' }));
    const bff = createBffClient();
    expect(bff.takeLogoutState()).toBeUndefined();
    await bff.logout({ state: { goodbye: 'see you', from: '/todos' } });
    expect(page.assigned).toEqual(['https://id.example/logout?x=1']);
    expect(bff.takeLogoutState()).toEqual({ goodbye: 'see you', from: '/todos' });
    expect(bff.takeLogoutState()).toBeUndefined();
    // Signed out on purpose: the logged-out page's load must not sign the user back in silently.
    expect(bff.silentLogin()).toBe(false);
  });

  it('never follows a logout answer to anything but an http(s) URL', async () => {
    const page = fakePage(() => json({ redirectTo: 'javascript:alert(1)' }));
    await createBffClient().logout();
    expect(page.assigned).toEqual(['/']);
  });

  it('takeReturnedState hands back login state once and cleans the address', () => {
    const page = fakePage(() => json(alice));
    const bff = createBffClient();
    bff.login({ state: { draft: 'x' } });
    const back = new URL(new URL(page.assigned[0] as string, origin).searchParams.get('returnUrl') as string, origin);
    (
      globalThis as unknown as { history: { replaceState(state: unknown, unused: string, url: string): void } }
    ).history.replaceState(null, '', `${back.pathname}${back.search}`);
    expect(bff.takeReturnedState()).toEqual({ draft: 'x' });
    expect(page.location.search).toBe('?tab=2');
    expect(bff.takeReturnedState()).toBeUndefined();
  });
});
