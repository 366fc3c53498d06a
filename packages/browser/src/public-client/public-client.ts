import { browserPage } from '../browser-page.js';
import {
  type AppState,
  saveAppState,
  saveLogoutState,
  takeAppState,
  takeLogoutState,
} from '../redirect-state/redirect-state.js';
import { type AccessTokenResult, requestAccessToken } from './access-token.js';
import { type AuthorizedFetch, type AuthorizedFetchOptions, createAuthorizedFetch } from './authorized-fetch.js';
import { signIn } from './begin-authorization.js';
import type { ClientContext } from './client-context.js';
import { completeSignIn } from './complete-sign-in.js';
import type { IdTokenClaims } from './id-token-claims.js';
import { createDiscovery } from './provider-metadata.js';
import { signOut } from './sign-out.js';
import { loadSilentFrame } from './silent-frame.js';
import { type SilentSignInResult, trySilentSignIn } from './silent-sign-in.js';
import { shareTokens } from './token-sharing.js';
import type { Tokens } from './tokens.js';

export interface PublicClientOptions<User = IdTokenClaims> {
  /** The provider's issuer URL; its metadata is discovered from it. */
  authority: string;
  clientId: string;
  /** Where the provider sends the browser back; call `completeSignIn()` on that page. */
  redirectUri: string;
  /** Scopes requested at sign-in. Default `['openid']`. */
  scopes?: string[];
  /** Where the provider sends the browser after sign-out. Default: this origin's root. */
  postLogoutRedirectUri?: string;
  /** Renew this many seconds before the access token expires. Default 60. */
  renewalMarginSeconds?: number;
  /**
   * A page of this origin that calls `notifySilentSignIn()` (and nothing else), registered as a
   * redirect URI: where `trySilentSignIn()` sends its hidden iframe. Needed only for that.
   */
  silentRedirectUri?: string;
  /**
   * Shapes what `user()` returns from the ID-token claims (for example one entry per `amr` value),
   * once per change of user. Default: the claims as they are.
   */
  userFactory?: (claims: IdTokenClaims) => User;
  /**
   * Shares the tokens between this client's tabs (same origin, `BroadcastChannel`, memory to memory,
   * never stored): a new tab starts signed in if another is, one renewal serves every tab, and a
   * sign-out in one is seen in all. Default `true`.
   */
  shareTokensAcrossTabs?: boolean;
}

/** What a listener of {@link PublicClient.onTokenExpiring} is told. */
export interface TokenExpiring {
  /** When the sign-in's access token expires, in milliseconds since the epoch. */
  expiresAt: number;
}

export interface PublicClient<User = IdTokenClaims> {
  /**
   * Starts a sign-in: code + PKCE S256, fresh `state` and `nonce`, app `state` kept in this tab.
   * `scopes` default to the client's.
   */
  signIn(options?: {
    returnUrl?: string;
    state?: AppState;
    prompt?: 'login' | 'none';
    scopes?: readonly string[];
  }): Promise<void>;
  /**
   * On the redirect URI page: checks and redeems the response, then cleans the address bar. A refusal
   * is a `SignInError` with its code.
   */
  completeSignIn(url?: string): Promise<{ returnUrl: string; state: AppState | undefined }>;
  /** The signed-in user (the ID-token claims, shaped by `userFactory`), or `null`; the same object until it changes. */
  user(): User | null;
  /** Calls `listener` whenever the user changes: sign-in, sign-out, another tab's, a session ended. Returns an unsubscribe. */
  onUserChange(listener: (user: User | null) => void): () => void;
  /**
   * Calls `listener` when the sign-in's access token comes within the renewal margin of expiry
   * (`renewalMarginSeconds`); `requestAccessToken()` then renews it. Returns an unsubscribe.
   */
  onTokenExpiring(listener: (token: TokenExpiring) => void): () => void;
  /**
   * Calls `listener` when the tokens are gone without a sign-out here: the provider refused the
   * refresh token (the session ended there, or was revoked), or another tab signed out. Returns an
   * unsubscribe.
   */
  onSessionEnded(listener: () => void): () => void;
  /**
   * Signs in without showing anything: `prompt=none` in a hidden iframe on `silentRedirectUri`. Works
   * only where the provider's session cookie reaches a frame — same-site providers, or browsers that
   * still send third-party cookies; otherwise expect `login_required`, and use `signIn({ prompt:
   * 'none' })` (a top-level redirect) instead.
   */
  trySilentSignIn(options?: { timeoutMs?: number }): Promise<SilentSignInResult>;
  /**
   * An access token for `scopes` (default: all granted at sign-in; one token per scope set), renewed
   * with the refresh token when needed; never throws for "sign in first": scopes never granted, or no
   * session, give `status: 'redirect'`, whose `redirect()` asks for them (incremental consent).
   */
  requestAccessToken(options?: { scopes?: readonly string[] }): Promise<AccessTokenResult>;
  /**
   * A `fetch` that attaches the access token for `options.scopes` only to the authorized URL prefixes
   * (default: this page's origin, like Blazor's `BaseAddressAuthorizationMessageHandler`), hands every
   * request on to `options.fetch` (default: the page's), and throws
   * {@link AccessTokenNotAvailableError} when no token can be had without the user.
   */
  createAuthorizedFetch(authorizedUrls?: readonly string[], options?: AuthorizedFetchOptions): AuthorizedFetch;
  /**
   * Forgets the tokens and signs out at the provider; `state` is handed back on the logged-out page
   * by {@link PublicClient.takeLogoutState}.
   */
  signOut(options?: { state?: AppState }): Promise<void>;
  /** On the logged-out page: the state given to `signOut({ state })`, once; otherwise `undefined`. */
  takeLogoutState(): AppState | undefined;
}

/**
 * A browser-based public client for apps with no backend (the OAuth browser-based-apps BCP): tokens
 * live in this tab's memory only — never in localStorage, sessionStorage, IndexedDB or cookies — and
 * are renewed with the rotating refresh token, one renewal at a time across tabs (Web Locks).
 *
 * Each step is its own module taking what it needs from the page as an argument; this only wires
 * them to the page's `fetch`, clock, `sessionStorage`, `crypto` and `navigator.locks`.
 *
 * @example
 * const client = createPublicClient({ authority, clientId: 'spa', redirectUri: `${location.origin}/callback`, scopes: ['openid', 'api'] });
 * const api = client.createAuthorizedFetch(['https://api.example.com/v1']);
 */
export function createPublicClient<User = IdTokenClaims>(options: PublicClientOptions<User>): PublicClient<User> {
  const page = browserPage();
  const userListeners = new Set<(user: User | null) => void>();
  const expiringListeners = new Set<(token: TokenExpiring) => void>();
  const endedListeners = new Set<() => void>();
  const subscribe =
    <T>(listeners: Set<T>) =>
    (listener: T) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    };
  const shape = options.userFactory ?? ((claims: IdTokenClaims) => claims as User);
  const renewalMarginMs = (options.renewalMarginSeconds ?? 60) * 1000;
  let tokens: Tokens | undefined;
  let user: User | null = null;
  let expiring: ReturnType<typeof setTimeout> | undefined;
  const sessionEnded = () => {
    for (const listener of endedListeners) listener();
  };
  /** Every change of tokens, here or in another tab: the user, the expiry timer. */
  const changeTokens = (next: Tokens | undefined) => {
    const previous = tokens;
    tokens = next;
    if (previous?.claims !== next?.claims) {
      user = next ? shape(next.claims) : null;
      for (const listener of userListeners) listener(user);
    }
    if (previous?.expiresAt !== next?.expiresAt) {
      clearTimeout(expiring);
      if (next) {
        const { expiresAt } = next;
        const delay = Math.min(Math.max(expiresAt - renewalMarginMs - Date.now(), 0), 2 ** 31 - 1);
        expiring = setTimeout(() => {
          for (const listener of expiringListeners) listener({ expiresAt });
        }, delay);
      }
    }
  };
  // Tabs only: a server rendering the app (Node has BroadcastChannel too) must not open one.
  const Channel = options.shareTokensAcrossTabs === false || !page.document ? undefined : page.BroadcastChannel;
  const announce = Channel
    ? shareTokens(new Channel(`gatehouse:${options.clientId}`), {
        current: () => tokens,
        adopt(next) {
          const had = tokens !== undefined;
          changeTokens(next);
          if (had && !next) sessionEnded();
        },
      })
    : undefined;
  const fetchFromPage: ClientContext['fetch'] = (input, init) => page.fetch(input, init);
  // The page's own, each read when used, as a direct call would (a fetch patched later counts, and
  // creating a client reads nothing).
  const context: ClientContext = {
    fetch: fetchFromPage,
    now: () => Date.now(),
    get storage() {
      return page.sessionStorage;
    },
    get crypto() {
      return page.crypto;
    },
    get locks() {
      return page.navigator.locks;
    },
    appState: { save: saveAppState, take: takeAppState },
    get origin() {
      return page.location.origin;
    },
    currentPath: () => `${page.location.pathname}${page.location.search}${page.location.hash}`,
    navigate: (url) => page.location.assign(url),
    loadFrame: loadSilentFrame,
    issuer: options.authority,
    clientId: options.clientId,
    redirectUri: options.redirectUri,
    scopes: options.scopes ?? ['openid'],
    postLogoutRedirectUri: options.postLogoutRedirectUri,
    silentRedirectUri: options.silentRedirectUri,
    renewalMarginMs,
    discover: createDiscovery(options.authority, { fetch: fetchFromPage }),
    memory: {
      get tokens() {
        return tokens;
      },
      set tokens(next) {
        changeTokens(next);
        announce?.(next);
      },
    },
    sessionEnded,
  };

  return {
    signIn: (signInOptions) => signIn(signInOptions, context),
    async completeSignIn(href = page.location.href) {
      const url = new URL(href);
      // The code and state leave the address bar (and the history) whatever happens next; a URL from
      // a silent sign-in's frame was never in it.
      if (url.href === page.location.href)
        page.history.replaceState(page.history.state, '', `${url.pathname}${url.hash}`);
      return completeSignIn(url.href, context);
    },
    user: () => user,
    onUserChange: subscribe(userListeners),
    onTokenExpiring: subscribe(expiringListeners),
    onSessionEnded: subscribe(endedListeners),
    trySilentSignIn: ({ timeoutMs = 10_000 } = {}) => trySilentSignIn(timeoutMs, context),
    requestAccessToken: (request) => requestAccessToken(context, request?.scopes),
    createAuthorizedFetch: (authorizedUrls = ['/'], fetchOptions) =>
      createAuthorizedFetch(authorizedUrls, context, fetchOptions),
    signOut: (options = {}) => {
      if (options.state) saveLogoutState(options.state);
      return signOut(context);
    },
    takeLogoutState,
  };
}
