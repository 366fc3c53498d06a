import type { BrowserPage, RenewalLocks } from '../browser-page.js';
import type { AppState } from '../redirect-state/redirect-state.js';
import type { Discover } from './provider-metadata.js';
import type { TokenMemory } from './tokens.js';
import type { TransactionStorage } from './transaction-store.js';

/**
 * What the public client's steps take from the page. Passed in, so a step runs against fakes in a
 * test; `createPublicClient` passes the page's own. Typed by what is used (web-standard shapes), so
 * the steps also compile without the DOM library.
 */
export interface PublicClientEnvironment {
  fetch: BrowserPage['fetch'];
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Where sign-in transactions wait for the redirect back: `sessionStorage`. */
  storage: TransactionStorage;
  /** The CSPRNG and SHA-256: the page's `crypto`. */
  crypto: BrowserPage['crypto'];
  /** `navigator.locks`, where the browser has them. */
  locks: RenewalLocks | undefined;
  /** The app's object kept across the sign-in redirect: `saveAppState` and `takeAppState`. */
  appState: { save(state: AppState): string; take(id: string | null): AppState | undefined };
  /** The page's origin. */
  origin: string;
  /** The page's path, query and fragment: where a sign-in comes back to unless told otherwise. */
  currentPath: () => string;
  /** Sends the browser to `url` (`location.assign`). */
  navigate: (url: string) => void;
  /** Loads `url` out of sight and resolves with the URL it is sent back to, or undefined after `timeoutMs`. */
  loadFrame: (url: string, timeoutMs: number) => Promise<string | undefined>;
}

/** A client's options, defaults applied (see `PublicClientOptions`). */
export interface ClientSettings {
  issuer: string;
  clientId: string;
  redirectUri: string;
  scopes: readonly string[];
  /** Default: the page's origin, root path. */
  postLogoutRedirectUri: string | undefined;
  silentRedirectUri: string | undefined;
  renewalMarginMs: number;
}

/**
 * What a step may use: the page, the client's settings, its provider's metadata and its tokens. Each
 * step names the part it uses. `sessionEnded` is called when the tokens are forgotten because the
 * provider refused them (not at a sign-out asked for here).
 */
export type ClientContext = PublicClientEnvironment &
  ClientSettings & { discover: Discover; memory: TokenMemory; sessionEnded: () => void };
