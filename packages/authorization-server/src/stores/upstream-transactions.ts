import { type BegunTransaction, LoginTransactionStore, type TransactionSealer } from '@gatehouse/oidc-client';
import type { Store } from '@gatehouse/store';

/** A sign-in at an upstream in progress, stored under its `state` until the callback takes it. */
export interface UpstreamTransaction {
  upstream: string;
  codeVerifier: string;
  /** Sent to OpenID providers only; checked against their ID token. */
  nonce: string;
  /** `login` signs in (or creates an account); `link` adds the upstream account to the signed-in user. */
  purpose: 'login' | 'link';
  /** The pending authorization request to continue after a `login`. */
  interactionId?: string;
  /** For `link`: who asked, so the callback links to no one else. */
  linkSub?: string;
}

/** What starting a sign-in records; the flow's `state`, PKCE verifier and nonce are drawn for it. */
export type UpstreamSignInRequest = Pick<UpstreamTransaction, 'upstream' | 'purpose' | 'interactionId' | 'linkSub'>;

export const bindingCookieName = '__Host-gh-as-upstream';

/**
 * Upstream sign-in transactions, on the relying-party login-transaction mechanism of
 * `@gatehouse/oidc-client`: single use, ten minutes, at most five per browser, bound to the browser
 * that started them by a random `__Host-` cookie (SameSite=Lax, so it rides along on the upstream's
 * top-level redirect back), with the PKCE verifier and nonce sealed at rest.
 */
export class UpstreamTransactions {
  readonly #flows: LoginTransactionStore<UpstreamSignInRequest>;
  readonly #now: () => number;

  constructor(store: Store, sealer: TransactionSealer, now: () => number) {
    this.#flows = new LoginTransactionStore(store, sealer, {
      namespace: 'upstream-transactions',
      cookieName: bindingCookieName,
      browserIndex: 'upstream-browser',
      ttlSeconds: 10 * 60,
      maxPerBrowser: 5,
    });
    this.#now = now;
  }

  /**
   * Stores the transaction; returns what the authorization request carries (`state`, `nonce`, the
   * S256 `codeChallenge`) and the binding cookie (renewed, so it outlives this transaction).
   */
  async start(cookieHeader: string | undefined, request: UpstreamSignInRequest): Promise<BegunTransaction> {
    return this.#flows.begin(cookieHeader, { details: request }, this.#now());
  }

  /**
   * Takes the transaction for `state` if this browser started it (`undefined` otherwise: then it is
   * gone all the same), with a `Set-Cookie` clearing the binding once no other sign-in is open.
   */
  async finish(
    state: string,
    cookieHeader: string | undefined,
  ): Promise<{ transaction: UpstreamTransaction | undefined; setCookie: string | undefined }> {
    const finished = await this.#flows.finish(cookieHeader, state);
    const opened = finished.transaction;
    const transaction = opened && { ...opened.details, codeVerifier: opened.codeVerifier, nonce: opened.nonce };
    return { transaction, setCookie: finished.setCookie };
  }
}
