import type { Store } from '@gatehouse/store';
import { BrowserBinding } from '../primitives/browser-binding.js';
import { randomToken } from '../primitives/random.js';

/** A sign-in at an upstream in progress, stored under its `state` until the callback takes it. */
export interface UpstreamTransaction {
  upstream: string;
  codeVerifier: string;
  /** OpenID providers only. */
  nonce?: string;
  /** `login` signs in (or creates an account); `link` adds the upstream account to the signed-in user. */
  purpose: 'login' | 'link';
  /** The pending authorization request to continue after a `login`. */
  interactionId?: string;
  /** For `link`: who asked, so the callback links to no one else. */
  linkSub?: string;
  /** Hash of this browser's binding cookie: a callback in another browser (login CSRF) is refused. */
  binding: string;
}

export const bindingCookieName = '__Host-gh-as-upstream';
const namespace = 'upstream-transactions';
const ttlSeconds = 10 * 60;
const statePattern = /^[A-Za-z0-9_-]{32}$/;

/**
 * Upstream sign-in transactions: single use, ten minutes, bound to the browser that started them by a
 * random `__Host-` cookie (SameSite=Lax, so it rides along on the upstream's top-level redirect back).
 */
export class UpstreamTransactions {
  readonly #store: Store;
  readonly #binding = new BrowserBinding(bindingCookieName, ttlSeconds);
  constructor(store: Store) {
    this.#store = store;
  }

  /** Stores the transaction; returns its `state` and the binding cookie (renewed, so it outlives this transaction). */
  async start(
    cookieHeader: string | undefined,
    transaction: Omit<UpstreamTransaction, 'binding'>,
  ): Promise<{ state: string; setCookie: string }> {
    const binding = this.#binding.bind(cookieHeader);
    const state = randomToken(24);
    await this.#store.put(
      namespace,
      state,
      { ...withoutUndefined(transaction), binding: binding.hash },
      { ttlSeconds },
    );
    return { state, setCookie: binding.setCookie };
  }

  /** Takes the transaction for `state` if this browser started it; undefined otherwise (then it is gone). */
  async finish(state: string, cookieHeader: string | undefined): Promise<UpstreamTransaction | undefined> {
    if (!statePattern.test(state)) return undefined;
    const transaction = (await this.#store.take(namespace, state)) as UpstreamTransaction | undefined;
    if (!transaction || !this.#binding.holds(cookieHeader, transaction.binding)) return undefined;
    return transaction;
  }
}

function withoutUndefined<T extends object>(value: T): Record<string, string> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined));
}
