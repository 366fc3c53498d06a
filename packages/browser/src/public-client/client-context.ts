import type { AppState } from '../redirect-state/redirect-state.js';
import type { TokenMemory } from './accept-token-response.js';
import type { TransactionStorage } from './implicit-response.js';
import type { Discover } from './provider-metadata.js';

/** Web Locks, as `navigator.locks` offers them: `callback` runs while no other holds `name`. */
export interface RenewalLocks {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/**
 * What the public client's steps take from the page. Passed in, so a step runs against fakes in a
 * test; `createPublicClient` passes the page's own. Typed by what is used (web-standard shapes), so
 * the steps also compile without the DOM library.
 */
export interface PublicClientEnvironment {
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Where sign-in transactions wait for the redirect back: `sessionStorage`. */
  storage: TransactionStorage;
  /** The CSPRNG and SHA-256: the page's `crypto`. */
  crypto: {
    getRandomValues(array: Uint8Array): Uint8Array;
    subtle: { digest(algorithm: 'SHA-256', data: Uint8Array): Promise<ArrayBuffer> };
  };
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
 * step names the part it uses.
 */
export type ClientContext = PublicClientEnvironment & ClientSettings & { discover: Discover; memory: TokenMemory };
