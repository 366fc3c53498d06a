import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createPkcePair } from '@gatehouse/oidc-client';
import type { Store } from '@gatehouse/store';
import { type TokenCipher, TokenDecryptionError } from '../session/token-cipher.js';

/** Cookie binding login flows to the browser that started them; `SameSite=Lax` so it returns with the callback. */
export const loginCookieName = '__Host-gh-login';

const namespace = 'bff_login';
/** A login must finish within 10 minutes. */
const flowTtlSeconds = 600;
/** Concurrent flows kept per browser; starting one more evicts the oldest. */
const maxFlowsPerBrowser = 5;
const randomValuePattern = /^[A-Za-z0-9_-]{43}$/;

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
  createdAt: number;
};

/** What a flow's start asks for; the flow's secrets are drawn here. */
export type LoginRequest = Pick<LoginFlow, 'returnUrl' | 'prompt' | 'purpose' | 'replacesSessionKey'>;

/** The flow's secrets, sealed together (AES-256-GCM under the token keys): a store dump can't redeem a code. */
type FlowSecrets = Pick<LoginFlow, 'nonce' | 'codeVerifier' | 'replacesSessionKey'>;

type StoredFlow = Omit<LoginFlow, keyof FlowSecrets> & { browserHash: string; sealedSecrets: string };

export interface BegunLogin {
  state: string;
  nonce: string;
  codeChallenge: string;
  /** `Set-Cookie` for the browser binding (the same value again when the browser already had one). */
  setCookie: string;
}

export interface FinishedLogin {
  /** The flow, or `undefined` when `state` is unknown, used, expired or from another browser. */
  flow: LoginFlow | undefined;
  /** `Set-Cookie` clearing the binding when this browser has no other flow open, else undefined. */
  setCookie: string | undefined;
}

/**
 * Login flows, kept server-side for 10 minutes under their `state` and bound to the browser that
 * started them by a random value in a `__Host-` cookie, of which the store keeps only a hash. The
 * flow's secrets — PKCE verifier, nonce, and the session it replaces — are sealed with the token
 * cipher like every other token at rest. One browser may run a few flows at once (two tabs); the
 * oldest beyond five is dropped. The cookie is one fixed-size value however many flows run.
 */
export class LoginTransactions {
  readonly #store: Store;
  readonly #cipher: TokenCipher;

  constructor(store: Store, cipher: TokenCipher) {
    this.#store = store;
    this.#cipher = cipher;
  }

  /** Starts a flow: fresh `state`, `nonce` and PKCE verifier (256 bits each). */
  async begin(cookieHeader: string | undefined, request: LoginRequest, now: number): Promise<BegunLogin> {
    const browser = readLoginCookie(cookieHeader) ?? randomValue();
    const browserHash = hash(browser);
    const state = randomValue();
    const nonce = randomValue();
    const pkce = createPkcePair();
    const { replacesSessionKey, ...visible } = request;
    const secrets: FlowSecrets = {
      nonce,
      codeVerifier: pkce.verifier,
      ...(replacesSessionKey && { replacesSessionKey }),
    };
    const stored: StoredFlow = {
      ...visible,
      createdAt: now,
      browserHash,
      sealedSecrets: this.#cipher.seal(JSON.stringify(secrets), sealingContext(state)),
    };
    await this.#store.put(namespace, state, stored, {
      ttlSeconds: flowTtlSeconds,
      indexes: [browserIndex(browserHash)],
    });

    const flows = await this.#store.findByIndex<{ createdAt: number }>(browserIndex(browserHash));
    const oldestFirst = flows.sort((a, b) => a.value.createdAt - b.value.createdAt);
    for (const evicted of oldestFirst.slice(0, Math.max(0, oldestFirst.length - maxFlowsPerBrowser))) {
      await this.#store.delete(namespace, evicted.id);
    }
    return {
      state,
      nonce,
      codeChallenge: pkce.challenge,
      setCookie: `${loginCookieName}=${browser}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${flowTtlSeconds}`,
    };
  }

  /**
   * Ends the flow named by `state`, whatever the outcome: the flow is taken (single use) before it
   * is judged, so a replayed or foreign callback finds nothing. The flow is returned only to the
   * browser that started it, and only if its secrets still open (a flow sealed under a key since
   * dropped from the configuration is as good as expired).
   */
  async finish(cookieHeader: string | undefined, state: string | undefined): Promise<FinishedLogin> {
    const browser = readLoginCookie(cookieHeader);
    let flow: LoginFlow | undefined;
    if (state !== undefined && randomValuePattern.test(state)) {
      // Taken, not read: two callbacks with one state must not both proceed.
      const stored = await this.#store.take<StoredFlow>(namespace, state);
      if (stored && browser !== undefined && sameHash(stored.browserHash, hash(browser))) {
        const secrets = this.#open(stored, state);
        if (secrets) {
          flow = {
            nonce: secrets.nonce,
            codeVerifier: secrets.codeVerifier,
            returnUrl: stored.returnUrl,
            prompt: stored.prompt,
            purpose: stored.purpose ?? 'session',
            ...(secrets.replacesSessionKey && { replacesSessionKey: secrets.replacesSessionKey }),
            createdAt: stored.createdAt,
          };
        }
      }
    }
    const others = browser === undefined ? [] : await this.#store.findByIndex(browserIndex(hash(browser)));
    const setCookie =
      browser !== undefined && others.length === 0
        ? `${loginCookieName}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`
        : undefined;
    return { flow, setCookie };
  }

  #open(stored: StoredFlow, state: string): FlowSecrets | undefined {
    if (typeof stored.sealedSecrets !== 'string') return undefined;
    try {
      return JSON.parse(this.#cipher.open(stored.sealedSecrets, sealingContext(state))) as FlowSecrets;
    } catch (error) {
      if (error instanceof TokenDecryptionError) return undefined;
      throw error;
    }
  }
}

function readLoginCookie(cookieHeader: string | undefined): string | undefined {
  if (typeof cookieHeader !== 'string' || cookieHeader.length > 8192) return undefined;
  const values = cookieHeader
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair.startsWith(`${loginCookieName}=`))
    .map((pair) => pair.slice(loginCookieName.length + 1));
  return values.length === 1 && randomValuePattern.test(values[0] as string) ? values[0] : undefined;
}

function randomValue(): string {
  return randomBytes(32).toString('base64url');
}

function hash(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

function sameHash(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Binds a flow's sealed secrets to its record: they open only under the same `state`. */
function sealingContext(state: string): string {
  return `${namespace}:${state}`;
}

function browserIndex(browserHash: string): string {
  return `login-browser:${browserHash}`;
}
