import type { TransactionStorage } from './public-client/transaction-store.js';

/** Web Locks, as `navigator.locks` offers them: `callback` runs while no other holds `name`. */
export interface RenewalLocks {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** A hidden iframe, as much of one as the silent sign-in uses. */
export interface SilentFrame {
  hidden: boolean;
  title: string;
  src: string;
  readonly contentWindow: unknown;
  remove(): void;
}

/** A `BroadcastChannel`, as much of one as the public client uses to share its tokens between tabs. */
export interface TabChannel {
  postMessage(message: unknown): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

/** A `message` event, as much of one as the silent sign-in reads. */
export interface PageMessage {
  source: unknown;
  origin: string;
  data: unknown;
}

/**
 * The page globals the SDK is wired to (by `createPublicClient` and the app-state helpers), typed by
 * what it uses so that its modules also compile, and are unit-tested, without the DOM library.
 */
export interface BrowserPage {
  location: { href: string; origin: string; pathname: string; search: string; hash: string; assign(url: string): void };
  history: { state: unknown; replaceState(state: unknown, unused: string, url: string): void };
  sessionStorage: TransactionStorage;
  navigator: { locks?: RenewalLocks };
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  crypto: {
    getRandomValues(array: Uint8Array): Uint8Array;
    subtle: { digest(algorithm: 'SHA-256', data: Uint8Array): Promise<ArrayBuffer> };
  };
  document: { createElement(tag: 'iframe'): SilentFrame; body: { append(frame: SilentFrame): void } };
  /** The window this page is framed in (itself when not framed): where a silent callback page posts. */
  parent: { postMessage(message: unknown, targetOrigin: string): void };
  /** Same-origin messages between this origin's tabs, where the browser has them. */
  BroadcastChannel?: new (
    name: string,
  ) => TabChannel;
  addEventListener(type: 'message', listener: (event: PageMessage) => void): void;
  removeEventListener(type: 'message', listener: (event: PageMessage) => void): void;
}

/** The page this code runs in, read when called. */
export const browserPage = (): BrowserPage => globalThis as unknown as BrowserPage;
