import { browserPage } from '../browser-page.js';
import { type AppState, saveAppState, takeAppState } from '../redirect-state/redirect-state.js';
import { type AccessTokenResult, requestAccessToken } from './access-token.js';
import { type AuthorizedFetch, createAuthorizedFetch } from './authorized-fetch.js';
import { signIn } from './begin-authorization.js';
import type { ClientContext } from './client-context.js';
import { completeSignIn } from './complete-sign-in.js';
import type { IdTokenClaims } from './id-token-claims.js';
import { createDiscovery } from './provider-metadata.js';
import { signOut } from './sign-out.js';
import { loadSilentFrame } from './silent-frame.js';
import { type SilentSignInResult, trySilentSignIn } from './silent-sign-in.js';

export interface PublicClientOptions {
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
   * Shapes what `user()` returns from the ID-token claims (for example one entry per `amr` value).
   * Default: the claims as they are.
   */
  userFactory?: (claims: IdTokenClaims) => IdTokenClaims;
}

export interface PublicClient {
  /** Starts a sign-in: code + PKCE S256, fresh `state` and `nonce`, app `state` kept in this tab. */
  signIn(options?: { returnUrl?: string; state?: AppState; prompt?: 'login' | 'none' }): Promise<void>;
  /**
   * On the redirect URI page: checks and redeems the response, then cleans the address bar. A refusal
   * is a `SignInError` with its code.
   */
  completeSignIn(url?: string): Promise<{ returnUrl: string; state: AppState | undefined }>;
  /** The signed-in user's ID-token claims, or `null`. */
  user(): IdTokenClaims | null;
  /**
   * Signs in without showing anything: `prompt=none` in a hidden iframe on `silentRedirectUri`. Works
   * only where the provider's session cookie reaches a frame — same-site providers, or browsers that
   * still send third-party cookies; otherwise expect `login_required`, and use `signIn({ prompt:
   * 'none' })` (a top-level redirect) instead.
   */
  trySilentSignIn(options?: { timeoutMs?: number }): Promise<SilentSignInResult>;
  /** An access token, renewed with the refresh token when needed; never throws for "sign in first". */
  requestAccessToken(): Promise<AccessTokenResult>;
  /**
   * A `fetch` that attaches the access token only to the authorized URL prefixes and throws
   * {@link AccessTokenNotAvailableError} when none can be had without the user.
   */
  createAuthorizedFetch(authorizedUrls: readonly string[]): AuthorizedFetch;
  /** Forgets the tokens and signs out at the provider. */
  signOut(): Promise<void>;
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
export function createPublicClient(options: PublicClientOptions): PublicClient {
  const page = browserPage();
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
    renewalMarginMs: (options.renewalMarginSeconds ?? 60) * 1000,
    discover: createDiscovery(options.authority, { fetch: fetchFromPage }),
    memory: { tokens: undefined },
  };
  const { memory } = context;

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
    user: () =>
      memory.tokens ? (options.userFactory ?? ((claims: IdTokenClaims) => claims))(memory.tokens.claims) : null,
    trySilentSignIn: ({ timeoutMs = 10_000 } = {}) => trySilentSignIn(timeoutMs, context),
    requestAccessToken: () => requestAccessToken(context),
    createAuthorizedFetch: (authorizedUrls) => createAuthorizedFetch(authorizedUrls, context),
    signOut: () => signOut(context),
  };
}
