import { LoginTransactionStore } from '@gatehouse/oidc-client';
import type { Store } from '@gatehouse/store';
import type { TokenCipher } from '../session/token-cipher.js';

/** Cookie binding login flows to the browser that started them; `SameSite=Lax` so it returns with the callback. */
export const loginCookieName = '__Host-gh-login';

/** What the callback needs from the request that started the login. */
export type LoginFlow = {
  nonce: string;
  codeVerifier: string;
  returnUrl: string;
  prompt: 'none' | 'login' | 'consent' | null;
  /** `session` (a login) or `offline` (a grant of offline access by a signed-in user). Default session. */
  purpose?: 'session' | 'offline';
  /**
   * The store key of the session this browser had when the login started (its `SameSite=Strict`
   * cookie comes with the same-origin navigation to `/bff/login`, not with the provider's redirect
   * back): the session the new one replaces.
   */
  replacesSessionKey?: string;
  /**
   * Set when the flow adds scopes to a signed-in session (incremental consent): the `sub` of that
   * session's user. A callback for anybody else must not take the session's place.
   */
  upgradesSubject?: string;
  createdAt: number;
};

/** What a flow's start asks for; the flow's secrets are drawn here. */
export type LoginRequest = Pick<
  LoginFlow,
  'returnUrl' | 'prompt' | 'purpose' | 'replacesSessionKey' | 'upgradesSubject'
>;

export interface BegunLogin {
  state: string;
  nonce: string;
  codeChallenge: string;
  /** `Set-Cookie` for the browser binding (the same value again when the browser had one). */
  setCookie: string;
}

export interface FinishedLogin {
  /** The flow, or `undefined` when `state` is unknown, used, expired or from another browser. */
  flow: LoginFlow | undefined;
  /** `Set-Cookie` clearing the binding when this browser has no other flow open, else undefined. */
  setCookie: string | undefined;
}

/** Kept in the clear with the flow. */
type FlowDetails = Pick<LoginFlow, 'returnUrl' | 'prompt' | 'purpose'>;
/** Sealed with the flow's verifier and nonce: the session it replaces is a store key, and a user id. */
type FlowSecrets = Pick<LoginFlow, 'replacesSessionKey' | 'upgradesSubject'>;

/**
 * The BFF's login flows, on the relying-party login-transaction mechanism of `@gatehouse/oidc-client`:
 * kept server-side for 10 minutes under their `state`, single use, bound to the browser that started
 * them by a random value in a `__Host-` cookie of which the store keeps only a hash. The flow's
 * secrets — PKCE verifier, nonce, and the session it replaces — are sealed with the token cipher like
 * every other token at rest. One browser may run a few flows at once (two tabs); the oldest beyond
 * five is dropped. The cookie is one fixed-size value however many flows run.
 */
export class LoginTransactions {
  readonly #flows: LoginTransactionStore<FlowDetails, FlowSecrets>;

  constructor(store: Store, cipher: TokenCipher) {
    this.#flows = new LoginTransactionStore(store, cipher, {
      namespace: 'bff_login',
      cookieName: loginCookieName,
      browserIndex: 'login-browser',
      ttlSeconds: 600,
      maxPerBrowser: 5,
    });
  }

  /** Starts a flow: fresh `state`, `nonce` and PKCE verifier (256 bits each). */
  async begin(cookieHeader: string | undefined, request: LoginRequest, now: number): Promise<BegunLogin> {
    const { replacesSessionKey, upgradesSubject, ...details } = request;
    return this.#flows.begin(cookieHeader, { details, secrets: { replacesSessionKey, upgradesSubject } }, now);
  }

  /**
   * Ends the flow named by `state`, whatever the outcome: the flow is taken (single use) before it
   * is judged, so a replayed or foreign callback finds nothing. The flow is returned only to the
   * browser that started it, and only if its secrets still open (a flow sealed under a key since
   * dropped from the configuration is as good as expired).
   */
  async finish(cookieHeader: string | undefined, state: string | undefined): Promise<FinishedLogin> {
    const { transaction, setCookie } = await this.#flows.finish(cookieHeader, state);
    if (!transaction) return { flow: undefined, setCookie };
    const { details, secrets } = transaction;
    const flow: LoginFlow = {
      nonce: transaction.nonce,
      codeVerifier: transaction.codeVerifier,
      returnUrl: details.returnUrl,
      prompt: details.prompt,
      purpose: details.purpose ?? 'session',
      ...(secrets.replacesSessionKey && { replacesSessionKey: secrets.replacesSessionKey }),
      ...(secrets.upgradesSubject && { upgradesSubject: secrets.upgradesSubject }),
      createdAt: transaction.createdAt,
    };
    return { flow, setCookie };
  }
}
