import { randomBytes } from 'node:crypto';
import type { JsonValue, Store } from '@gatehouse/store';
import { BrowserBinding } from './browser-binding.js';
import { createPkcePair } from './pkce.js';

/** A login's `state`: 256 random bits, base64url. Anything else is refused before the store is asked. */
const statePattern = /^[A-Za-z0-9_-]{43}$/;

/**
 * Authenticated encryption for a flow's secrets at rest: the BFF's `TokenCipher` and the
 * authorization server's `createSealer` are both one.
 */
export interface TransactionSealer {
  /** Encrypts `plaintext`; `context` is authenticated, so the result opens only with the same context. */
  seal(plaintext: string, context: string): string;
  /** The plaintext; `undefined` (or a throw) when it does not open: altered, another context, a retired key. */
  open(sealed: string, context: string): string | undefined;
}

/** Fields a caller keeps with a flow; `undefined` ones are left out. */
export type TransactionFields = Record<string, JsonValue | undefined>;

export interface LoginTransactionOptions {
  /** The store namespace of the flows, keyed by `state`. */
  namespace: string;
  /** The cookie binding flows to the browser that started them. */
  cookieName: `__Host-${string}`;
  /** The store index of one browser's flows (followed by `:` and the hash of its binding). */
  browserIndex: string;
  /** How long a flow may take, in seconds; also the binding cookie's `Max-Age`. Default 600. */
  ttlSeconds?: number;
  /** Flows kept per browser; starting one more drops the oldest. Default 5. */
  maxPerBrowser?: number;
}

/** What an authorization request needs from a flow just started. */
export interface BegunTransaction {
  /** 256 bits, fresh per flow. */
  state: string;
  /** 256 bits, fresh per flow: send it to OpenID providers. */
  nonce: string;
  /** The S256 challenge of the flow's PKCE verifier (RFC 7636 §4.2). */
  codeChallenge: string;
  /** `Set-Cookie` for the browser binding (the same value again, renewed, when the browser had one). */
  setCookie: string;
}

/** A flow handed back to the browser that started it. */
export interface OpenedTransaction<Details, Secrets> {
  details: Details;
  secrets: Secrets;
  nonce: string;
  codeVerifier: string;
  /** When the flow began (milliseconds since the epoch). */
  createdAt: number;
}

export interface FinishedTransaction<Details, Secrets> {
  /** The flow, or `undefined` when `state` is malformed, unknown, used, expired or another browser's. */
  transaction: OpenedTransaction<Details, Secrets> | undefined;
  /** `Set-Cookie` clearing the binding when this browser has no other flow open, else `undefined`. */
  setCookie: string | undefined;
}

/** The fields the mechanism keeps beside the caller's details. */
type StoredFlow = { createdAt: number; browserHash: string; sealedSecrets: string };
type OwnSecrets = { nonce: string; codeVerifier: string };

/**
 * Login transactions of a relying party (the BFF's logins, the authorization server's sign-ins at
 * upstream providers): kept server-side under their `state` for ten minutes, single use, and bound to
 * the browser that started them by a `__Host-` cookie of which the store keeps only a hash. The
 * flow's secrets — its PKCE verifier and nonce, drawn here, and whatever the caller adds — are sealed,
 * bound to the flow's `state`, so a store dump cannot redeem a code and a sealed value cannot be moved
 * to another flow. A browser may run a few flows at once (two tabs); the oldest beyond the limit is
 * dropped.
 *
 * @example
 * const logins = new LoginTransactionStore(store, cipher, {
 *   namespace: 'bff_login', cookieName: '__Host-gh-login', browserIndex: 'login-browser',
 * });
 * const begun = await logins.begin(request.headers.cookie, { details: { returnUrl: '/' } }, Date.now());
 * const { transaction } = await logins.finish(request.headers.cookie, query.get('state') ?? undefined);
 */
export class LoginTransactionStore<
  Details extends TransactionFields & Partial<Record<keyof StoredFlow, never>>,
  Secrets extends TransactionFields & Partial<Record<keyof OwnSecrets, never>> = Record<string, never>,
> {
  readonly #store: Store;
  readonly #sealer: TransactionSealer;
  readonly #namespace: string;
  readonly #browserIndex: string;
  readonly #ttlSeconds: number;
  readonly #maxPerBrowser: number;
  readonly #binding: BrowserBinding;

  constructor(store: Store, sealer: TransactionSealer, options: LoginTransactionOptions) {
    this.#store = store;
    this.#sealer = sealer;
    this.#namespace = options.namespace;
    this.#browserIndex = options.browserIndex;
    this.#ttlSeconds = options.ttlSeconds ?? 600;
    this.#maxPerBrowser = options.maxPerBrowser ?? 5;
    this.#binding = new BrowserBinding(options.cookieName, this.#ttlSeconds);
  }

  /** Starts a flow for this browser: fresh `state`, `nonce` and PKCE verifier (256 bits each). */
  async begin(
    cookieHeader: string | undefined,
    flow: { details: Details; secrets?: Secrets },
    now: number,
  ): Promise<BegunTransaction> {
    const binding = this.#binding.bind(cookieHeader);
    const state = randomBytes(32).toString('base64url');
    const nonce = randomBytes(32).toString('base64url');
    const pkce = createPkcePair();
    const secrets = { ...definedOnly(flow.secrets ?? {}), nonce, codeVerifier: pkce.verifier };
    const stored = {
      ...definedOnly(flow.details),
      createdAt: now,
      browserHash: binding.hash,
      sealedSecrets: this.#sealer.seal(JSON.stringify(secrets), this.#sealingContext(state)),
    } satisfies StoredFlow;
    await this.#store.put(this.#namespace, state, stored, {
      ttlSeconds: this.#ttlSeconds,
      indexes: [this.#indexOf(binding.hash)],
    });
    await this.#evictBeyondLimit(binding.hash);
    return { state, nonce, codeChallenge: pkce.challenge, setCookie: binding.setCookie };
  }

  /**
   * Ends the flow named by `state`, whatever the outcome: the flow is taken (single use) before it is
   * judged, so a replayed or foreign callback finds nothing. It is returned only to the browser that
   * started it, and only if its secrets still open (sealed under a key since retired: as good as
   * expired).
   */
  async finish(
    cookieHeader: string | undefined,
    state: string | undefined,
  ): Promise<FinishedTransaction<Details, Secrets>> {
    let transaction: OpenedTransaction<Details, Secrets> | undefined;
    if (typeof state === 'string' && statePattern.test(state)) {
      // Taken, not read: two callbacks with one state must not both proceed.
      const stored = await this.#store.take<Record<string, JsonValue>>(this.#namespace, state);
      if (stored && this.#binding.holds(cookieHeader, stored.browserHash)) transaction = this.#open(stored, state);
    }
    const browserHash = this.#binding.hashOf(cookieHeader);
    const others = browserHash === undefined ? [] : await this.#flowsOf(browserHash);
    const setCookie = browserHash !== undefined && others.length === 0 ? this.#binding.clearCookie() : undefined;
    return { transaction, setCookie };
  }

  #open(stored: Record<string, JsonValue>, state: string): OpenedTransaction<Details, Secrets> | undefined {
    const { createdAt, browserHash: _, sealedSecrets, ...details } = stored;
    if (typeof sealedSecrets !== 'string' || typeof createdAt !== 'number') return undefined;
    let opened: (OwnSecrets & TransactionFields) | undefined;
    try {
      const plaintext = this.#sealer.open(sealedSecrets, this.#sealingContext(state));
      opened = plaintext === undefined ? undefined : JSON.parse(plaintext);
    } catch {
      return undefined; // altered, or sealed under a key no longer configured
    }
    if (typeof opened?.nonce !== 'string' || typeof opened.codeVerifier !== 'string') return undefined;
    const { nonce, codeVerifier, ...secrets } = opened;
    return { details: details as Details, secrets: secrets as Secrets, nonce, codeVerifier, createdAt };
  }

  /** Keeps the browser's newest flows only, so one browser cannot pile up records. */
  async #evictBeyondLimit(browserHash: string): Promise<void> {
    const oldestFirst = (await this.#flowsOf(browserHash)).sort((a, b) => a.value.createdAt - b.value.createdAt);
    for (const evicted of oldestFirst.slice(0, Math.max(0, oldestFirst.length - this.#maxPerBrowser))) {
      await this.#store.delete(this.#namespace, evicted.id);
    }
  }

  async #flowsOf(browserHash: string) {
    const flows = await this.#store.findByIndex<{ createdAt: number }>(this.#indexOf(browserHash));
    return flows.filter((flow) => flow.namespace === this.#namespace);
  }

  #indexOf(browserHash: string): string {
    return `${this.#browserIndex}:${browserHash}`;
  }

  /** Binds a flow's sealed secrets to its record: they open only under the same `state`. */
  #sealingContext(state: string): string {
    return `${this.#namespace}:${state}`;
  }
}

function definedOnly(fields: TransactionFields): Record<string, JsonValue> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Record<
    string,
    JsonValue
  >;
}
