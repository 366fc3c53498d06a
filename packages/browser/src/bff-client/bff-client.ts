import { browserPage } from '../browser-page.js';
import {
  type AppState,
  saveAppState,
  saveLogoutState,
  stateParameter,
  takeAppState,
  takeLogoutState,
} from '../redirect-state/redirect-state.js';

/** The signed-in user as the BFF describes it (`GET /bff/user`); never a token. */
export interface BffUser {
  claims: Record<string, unknown> & { sub: string };
  /** The scopes the provider granted the session; ask for more with `login({ scopes })`. */
  scopes: string[];
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
  /**
   * Scopes to add to the session (incremental consent), from the BFF's `scopes` and
   * `optionalScopes`; the user stays signed in while the provider asks. Default: none.
   */
  scopes?: readonly string[];
}

export interface LogoutOptions {
  /** App state to hand back on the logged-out page (see {@link BffClient.takeLogoutState}). */
  state?: AppState;
}

export interface UserOptions {
  /** Ask the BFF again instead of answering from the cached user. Default `false`. */
  refresh?: boolean;
  /** Count the call as activity (extends the idle limit). Default: as `refresh`; `false` for polling. */
  slide?: boolean;
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

/**
 * The BFF could not say who is signed in (a 503 during a store or provider outage, a 5xx, no
 * network): not the same as signed out, so nothing is published and the app can retry.
 */
export class BffUnavailableError extends Error {
  override readonly name = 'BffUnavailableError';
  readonly code = 'ERR_BFF_UNAVAILABLE';

  constructor(
    /** The HTTP status, or 0 when no answer came. */
    readonly status: number,
    /** From `Retry-After` (seconds or an HTTP date), when the BFF sent one. */
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(`the BFF is unavailable (${status})`);
  }
}

export interface BffClient {
  /**
   * The current user, or `null` when signed out; cached after the first call unless `refresh`.
   * Rejects with {@link BffUnavailableError} when the BFF cannot tell (the user is then not signed out).
   */
  user(options?: UserOptions): Promise<BffUser | null>;
  /** Calls `listener` whenever the user changes (sign-in, sign-out, expiry seen). Returns an unsubscribe. */
  onUserChange(listener: (user: BffUser | null) => void): () => void;
  /**
   * Calls `listener` with the BFF's reason when a session this client had seen turns out to be gone
   * (expired, ended by a back-channel logout, revoked) at a call or a poll — not after `logout()`.
   */
  onSessionEnded(listener: (reason: string) => void): () => void;
  /** Navigates to the BFF's login, coming back to `returnUrl` with `state` kept for this tab. */
  login(options?: LoginOptions): void;
  /**
   * Navigates to a `prompt=none` login: signs in without a page when the provider still has a
   * session, else comes back to `returnUrl` signed out. Once per tab until a user is seen again, so
   * calling it on every load cannot loop, and never after `logout()` in this tab: returns `false`
   * (and stays) then.
   */
  silentLogin(options?: LoginOptions): boolean;
  /** Ends the session at the BFF and the provider, then navigates to the provider's logout. */
  logout(options?: LogoutOptions): Promise<void>;
  /**
   * `fetch` for the BFF's routes: adds `x-csrf: 1` to same-origin requests (never to another
   * origin) and keeps every other option as given. A same-origin 401 becomes a {@link LoginRequiredError}.
   */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** After coming back from a login: the state saved before it, once; otherwise `undefined`. */
  takeReturnedState(): AppState | undefined;
  /** On the logged-out page: the state given to `logout({ state })`, once; otherwise `undefined`. */
  takeLogoutState(): AppState | undefined;
}

const silentKey = 'gatehouse.silent-login';

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
  const endedListeners = new Set<(reason: string) => void>();
  let cached: Promise<BffUser | null> | undefined;
  let last: BffUser | null | undefined;
  // The page's globals, typed by what is used, so the module also compiles without the DOM library.
  const { location, history, sessionStorage } = browserPage();

  function navigate(endpoint: string, login: LoginOptions = {}): void {
    let returnUrl = login.returnUrl ?? `${location.pathname}${location.search}${location.hash}`;
    if (login.state) {
      const url = new URL(returnUrl, location.origin);
      url.searchParams.set(stateParameter, saveAppState(login.state));
      returnUrl = `${url.pathname}${url.search}${url.hash}`;
    }
    const scope = login.scopes?.length ? `&scope=${encodeURIComponent(login.scopes.join(' '))}` : '';
    location.assign(`${prefix}/${endpoint}?returnUrl=${encodeURIComponent(returnUrl)}${scope}`);
  }

  function publish(user: BffUser | null): void {
    const changed = JSON.stringify(user?.claims ?? null) !== JSON.stringify(last?.claims ?? null);
    last = user;
    if (changed) for (const listener of listeners) listener(user);
  }

  /** The BFF answered 401: signed out, and if a user had been seen, that session ended. */
  async function signedOut(response: Response): Promise<string> {
    const body = (await response
      .clone()
      .json()
      .catch(() => ({}))) as { reason?: unknown };
    const reason = typeof body.reason === 'string' ? body.reason : 'unauthenticated';
    const hadUser = !!last;
    publish(null);
    cached = Promise.resolve(null);
    if (hadUser) for (const listener of endedListeners) listener(reason);
    return reason;
  }

  async function bffFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
    // Resolved by hand, not with `new Request(input, init)`, which would take a streamed body.
    const isSameOrigin =
      new URL(input instanceof Request ? input.url : String(input), location.href).origin === location.origin;
    const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
    if (isSameOrigin && !headers.has('x-csrf')) headers.set('x-csrf', '1');
    const response = await fetch(input, { ...init, headers });
    if (response.status === 401 && isSameOrigin) {
      const reason = await signedOut(response);
      throw new LoginRequiredError(reason, (o) => navigate('login', o));
    }
    return response;
  }

  function unavailable(status: number, retryAfter?: string | null): BffUnavailableError {
    const seconds = retryAfter
      ? /^\d+$/.test(retryAfter)
        ? Number(retryAfter)
        : Math.max(0, Math.ceil((Date.parse(retryAfter) - Date.now()) / 1000))
      : Number.NaN;
    return new BffUnavailableError(status, Number.isFinite(seconds) ? seconds : undefined);
  }

  return {
    user({ refresh = false, slide = refresh } = {}) {
      if (!cached || refresh) {
        const pending = fetch(`${prefix}/user?slide=${slide}`, {
          headers: { 'x-csrf': '1' },
          credentials: 'same-origin',
          cache: 'no-store',
        } as RequestInit).then(
          async (response) => {
            if (response.status === 401) return signedOut(response).then(() => null);
            if (!response.ok) throw unavailable(response.status, response.headers.get('retry-after'));
            const user = shape((await response.json()) as BffUser);
            // Signed in: a later lapse may try a silent sign-in again.
            sessionStorage.removeItem(silentKey);
            publish(user);
            return user;
          },
          () => {
            throw unavailable(0);
          },
        );
        // A failure is not remembered: the next call asks again.
        pending.catch(() => {
          if (cached === pending) cached = undefined;
        });
        cached = pending;
      }
      return cached;
    },
    onUserChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onSessionEnded(listener) {
      endedListeners.add(listener);
      return () => endedListeners.delete(listener);
    },
    login: (login) => navigate('login', login),
    silentLogin(login) {
      if (sessionStorage.getItem(silentKey)) return false;
      sessionStorage.setItem(silentKey, '1');
      navigate('silent-login', login);
      return true;
    },
    async logout(logout = {}) {
      const response = await fetch(`${prefix}/logout`, {
        method: 'POST',
        headers: { 'x-csrf': '1', accept: 'application/json' },
        credentials: 'same-origin',
      });
      publish(null);
      cached = Promise.resolve(null);
      // Signed out on purpose: a silent sign-in on the next load must not undo it.
      sessionStorage.setItem(silentKey, '1');
      if (logout.state) saveLogoutState(logout.state);
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
    takeLogoutState,
  };
}
