import { type AppState, saveAppState, stateParameter, takeAppState } from '../redirect-state/redirect-state.js';

/** The signed-in user as the BFF describes it (`GET /bff/user`); never a token. */
export interface BffUser {
  claims: Record<string, unknown> & { sub: string };
  session: { issuedAt: number; expiresAt: number; absoluteExpiresAt: number };
}

export interface BffClientOptions {
  /** Path prefix of the BFF's endpoints. Default `/bff`. */
  prefix?: string;
  /** Shapes the user object from what the BFF returns (e.g. add one entry per `amr` value). */
  userFactory?: (user: BffUser) => BffUser;
}

export interface LoginOptions {
  /** Local path to come back to. Default: the current page. */
  returnUrl?: string;
  /** App state to hand back after the login (see {@link BffClient.takeReturnedState}). */
  state?: AppState;
}

/** A BFF call answered 401: the session is gone. `redirect()` saves `state` and starts a login. */
export class LoginRequiredError extends Error {
  override readonly name = 'LoginRequiredError';
  readonly code = 'ERR_LOGIN_REQUIRED';

  constructor(
    /** The BFF's reason (`no_session`, `refresh_failed`, …). */
    readonly reason: string,
    private readonly startLogin: (options?: LoginOptions) => void,
  ) {
    super(`login required (${reason})`);
  }

  redirect(options?: LoginOptions): void {
    this.startLogin(options);
  }
}

export interface BffClient {
  /** The current user, or `null` when signed out; cached after the first call unless `refresh`. */
  user(options?: { refresh?: boolean }): Promise<BffUser | null>;
  /** Calls `listener` whenever the user changes (sign-in, sign-out, expiry seen). Returns an unsubscribe. */
  onUserChange(listener: (user: BffUser | null) => void): () => void;
  /** Navigates to the BFF's login, coming back to `returnUrl` with `state` kept for this tab. */
  login(options?: LoginOptions): void;
  /** Navigates to `prompt=none` login: renews a lapsed session without a login page when possible. */
  silentLogin(options?: LoginOptions): void;
  /** Ends the session at the BFF and the provider, then navigates to the provider's logout. */
  logout(): Promise<void>;
  /**
   * `fetch` for the BFF's routes: adds `x-csrf: 1` to same-origin requests and keeps every other
   * option as given. A 401 becomes a {@link LoginRequiredError}.
   */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** After coming back from a login: the state saved before it, once; otherwise `undefined`. */
  takeReturnedState(): AppState | undefined;
}

/**
 * The SPA's side of the BFF pattern: the browser never holds a token, only the BFF's HttpOnly
 * cookie, and every call carries the CSRF header the BFF requires.
 *
 * @example
 * const bff = createBffClient();
 * const user = await bff.user();
 * if (!user) bff.login({ returnUrl: '/todos' });
 * const todos = await (await bff.fetch('/api/todos')).json();
 */
export function createBffClient(options: BffClientOptions = {}): BffClient {
  const prefix = options.prefix ?? '/bff';
  if (!/^\/[A-Za-z0-9/_-]*$/.test(prefix)) throw new TypeError('prefix must be a path such as /bff');
  const shape = options.userFactory ?? ((user: BffUser) => user);
  const listeners = new Set<(user: BffUser | null) => void>();
  let cached: Promise<BffUser | null> | undefined;
  let last: BffUser | null | undefined;

  function navigate(endpoint: string, login: LoginOptions = {}): void {
    let returnUrl = login.returnUrl ?? `${location.pathname}${location.search}${location.hash}`;
    if (login.state) {
      const url = new URL(returnUrl, location.origin);
      url.searchParams.set(stateParameter, saveAppState(login.state));
      returnUrl = `${url.pathname}${url.search}${url.hash}`;
    }
    location.assign(`${prefix}/${endpoint}?returnUrl=${encodeURIComponent(returnUrl)}`);
  }

  function publish(user: BffUser | null): void {
    const changed = JSON.stringify(user?.claims ?? null) !== JSON.stringify(last?.claims ?? null);
    last = user;
    if (changed) for (const listener of listeners) listener(user);
  }

  async function bffFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
    const request = new Request(input, init);
    const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
    if (new URL(request.url).origin === location.origin && !headers.has('x-csrf')) headers.set('x-csrf', '1');
    const response = await fetch(input, { ...init, headers });
    if (response.status === 401 && new URL(request.url).origin === location.origin) {
      const body = (await response
        .clone()
        .json()
        .catch(() => ({}))) as { reason?: unknown };
      publish(null);
      cached = Promise.resolve(null);
      throw new LoginRequiredError(typeof body.reason === 'string' ? body.reason : 'unauthenticated', (o) =>
        navigate('login', o),
      );
    }
    return response;
  }

  return {
    user({ refresh = false } = {}) {
      if (!cached || refresh) {
        cached = fetch(`${prefix}/user?slide=${refresh ? 'true' : 'false'}`, {
          headers: { 'x-csrf': '1' },
          credentials: 'same-origin',
          cache: 'no-store',
        }).then(async (response) => {
          const user = response.ok ? shape((await response.json()) as BffUser) : null;
          publish(user);
          return user;
        });
      }
      return cached;
    },
    onUserChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    login: (login) => navigate('login', login),
    silentLogin: (login) => navigate('silent-login', login),
    async logout() {
      const response = await fetch(`${prefix}/logout`, {
        method: 'POST',
        headers: { 'x-csrf': '1', accept: 'application/json' },
        credentials: 'same-origin',
      });
      publish(null);
      cached = Promise.resolve(null);
      const { redirectTo } = (await response.json().catch(() => ({}))) as { redirectTo?: unknown };
      // Only an http(s) URL the BFF chose; anything else stays on this app's root.
      const target = typeof redirectTo === 'string' && /^https?:\/\//.test(redirectTo) ? redirectTo : '/';
      location.assign(target);
    },
    fetch: bffFetch,
    takeReturnedState() {
      const url = new URL(location.href);
      const id = url.searchParams.get(stateParameter);
      if (id === null) return undefined;
      url.searchParams.delete(stateParameter);
      history.replaceState(history.state, '', `${url.pathname}${url.search}${url.hash}`);
      return takeAppState(id);
    },
  };
}
