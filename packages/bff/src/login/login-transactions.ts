import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createPkcePair } from '@gatehouse/oidc-client';
import type { Store } from '@gatehouse/store';

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
  createdAt: number;
};

type StoredFlow = LoginFlow & { browserHash: string };

export interface BegunLogin {
  state: string;
  nonce: string;
  codeChallenge: string;
  /** `Set-Cookie` for the browser binding (the same value again when the browser already had one). */
  setCookie: string;
}

/**
 * Starts a login flow: fresh `state`, `nonce` and PKCE verifier (256 bits each), kept server-side
 * for 10 minutes under `state` and bound to this browser by a random value in a `__Host-` cookie.
 * The store keeps only a hash of that value. One browser may run a few flows at once (two tabs);
 * the oldest beyond five is dropped. The cookie is one fixed-size value however many flows run.
 */
export async function beginLogin(
  store: Store,
  cookieHeader: string | undefined,
  flow: { returnUrl: string; prompt: 'none' | 'login' | 'consent' | null; purpose?: 'session' | 'offline' },
  now: number,
): Promise<BegunLogin> {
  const browser = readLoginCookie(cookieHeader) ?? randomValue();
  const browserHash = hash(browser);
  const state = randomValue();
  const nonce = randomValue();
  const pkce = createPkcePair();
  const stored: StoredFlow = { ...flow, nonce, codeVerifier: pkce.verifier, createdAt: now, browserHash };
  await store.put(namespace, state, stored, { ttlSeconds: flowTtlSeconds, indexes: [browserIndex(browserHash)] });

  const flows = await store.findByIndex<{ createdAt: number }>(browserIndex(browserHash));
  const oldestFirst = flows.sort((a, b) => a.value.createdAt - b.value.createdAt);
  for (const evicted of oldestFirst.slice(0, Math.max(0, oldestFirst.length - maxFlowsPerBrowser))) {
    await store.delete(namespace, evicted.id);
  }
  return {
    state,
    nonce,
    codeChallenge: pkce.challenge,
    setCookie: `${loginCookieName}=${browser}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${flowTtlSeconds}`,
  };
}

export interface FinishedLogin {
  /** The flow, or `undefined` when `state` is unknown, used, expired or from another browser. */
  flow: LoginFlow | undefined;
  /** `Set-Cookie` clearing the binding when this browser has no other flow open, else undefined. */
  setCookie: string | undefined;
}

/**
 * Ends the flow named by `state`, whatever the outcome: the flow is taken (single use) before it is
 * judged, so a replayed or foreign callback finds nothing. The flow is returned only to the browser
 * that started it.
 */
export async function finishLogin(
  store: Store,
  cookieHeader: string | undefined,
  state: string | undefined,
): Promise<FinishedLogin> {
  const browser = readLoginCookie(cookieHeader);
  let flow: LoginFlow | undefined;
  if (state !== undefined && randomValuePattern.test(state)) {
    // Taken, not read: two callbacks with one state must not both proceed.
    const stored = await store.take<StoredFlow>(namespace, state);
    if (stored && browser !== undefined && sameHash(stored.browserHash, hash(browser))) {
      flow = {
        nonce: stored.nonce,
        codeVerifier: stored.codeVerifier,
        returnUrl: stored.returnUrl,
        prompt: stored.prompt,
        purpose: stored.purpose ?? 'session',
        createdAt: stored.createdAt,
      };
    }
  }
  const others = browser === undefined ? [] : await store.findByIndex(browserIndex(hash(browser)));
  const setCookie =
    browser !== undefined && others.length === 0
      ? `${loginCookieName}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`
      : undefined;
  return { flow, setCookie };
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

function browserIndex(browserHash: string): string {
  return `login-browser:${browserHash}`;
}
