import { createHash, webcrypto } from 'node:crypto';
import { expect } from 'vitest';
import type { ClientContext } from '../../src/public-client/client-context.js';
import { SignInError, type SignInErrorCode } from '../../src/public-client/errors.js';
import type { ProviderMetadata } from '../../src/public-client/provider-metadata.js';
import { createDiscovery } from '../../src/public-client/provider-metadata.js';
import type { Tokens } from '../../src/public-client/tokens.js';

// Fakes of what the public client's steps take from the page — fetch, clock, sessionStorage,
// randomness, Web Locks, navigation — and a scripted provider behind that fetch. No network.

export const issuer = 'https://idp.test';
export const clientId = 'spa';
export const redirectUri = 'https://app.test/callback';
export const start = Date.parse('2030-01-01T00:00:00Z');

export const metadata: ProviderMetadata = {
  issuer,
  authorization_endpoint: `${issuer}/authorize`,
  token_endpoint: `${issuer}/token`,
  end_session_endpoint: `${issuer}/logout`,
};

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned JWT with these claims (the public client checks claims, not signatures). */
export function jwt(claims: Record<string, unknown>): string {
  return `${b64({ alg: 'RS256' })}.${b64(claims)}.signature`;
}

/** Claims the client accepts at `now` for a sign-in with `nonce`. */
export function idTokenClaims(nonce: unknown, now: number, extra: Record<string, unknown> = {}) {
  return { iss: issuer, aud: clientId, sub: 'alice', iat: now / 1000, exp: now / 1000 + 300, nonce, ...extra };
}

/** RFC 7636 S256, computed independently of the code under test. */
export const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

export function memoryStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

/** Web Locks that run one callback per name at a time, in order, and record the names asked for. */
export function fakeLocks() {
  const queues = new Map<string, Promise<unknown>>();
  const names: string[] = [];
  return {
    names,
    request<T>(name: string, callback: () => Promise<T>): Promise<T> {
      names.push(name);
      const run = (queues.get(name) ?? Promise.resolve()).then(callback);
      queues.set(
        name,
        run.catch(() => undefined),
      );
      return run;
    },
  };
}

/** A token endpoint's answer: a JSON body with a status, a raw body, or a network failure. */
export type TokenAnswer = { status?: number; json?: unknown; body?: string } | 'network failure';

export interface SentRequest {
  url: string;
  method: string;
  form: URLSearchParams;
  headers: Headers;
}

/**
 * A context for the steps, every part fake: discovery answers `discovery` (default {@link metadata}),
 * the token endpoint answers from `tokenAnswers` in turn, the clock reads `env.now` (move it by
 * assigning), random bytes count up from 1, and navigation is recorded.
 */
export function fakeEnvironment(
  options: {
    discovery?: () => Response | Promise<Response>;
    tokenAnswers?: TokenAnswer[];
    locks?: boolean;
    settings?: Partial<ClientContext>;
  } = {},
) {
  const tokenAnswers = [...(options.tokenAnswers ?? [])];
  const sent: SentRequest[] = [];
  const navigations: string[] = [];
  const appStates = new Map<string, Record<string, unknown>>();
  const storage = memoryStorage();
  const locks = fakeLocks();
  const frames: { url: string; timeoutMs: number }[] = [];
  let counter = 0;
  const env = {
    now: start,
    /** How many times the steps reported the session ended. */
    sessionsEnded: 0,
    sent,
    navigations,
    storage,
    appStates,
    locks,
    frames,
    /** What the next `loadFrame` resolves with; by default, undefined (a timeout). */
    frameAnswer: (_url: string): Promise<string | undefined> => Promise.resolve(undefined),
    tokenAnswers,
  };

  const fetch: ClientContext['fetch'] = async (input, init) => {
    const request = new Request(input, init);
    if (request.url === `${issuer}/.well-known/openid-configuration`) {
      return options.discovery ? options.discovery() : Response.json(metadata);
    }
    if (request.url === metadata.token_endpoint) {
      sent.push({
        url: request.url,
        method: request.method,
        form: new URLSearchParams(await request.text()),
        headers: request.headers,
      });
      const answer = tokenAnswers.shift();
      if (answer === undefined) throw new Error('the test scripted no further token answer');
      if (answer === 'network failure') throw new TypeError('Failed to fetch');
      const body = answer.body ?? JSON.stringify(answer.json);
      return new Response(body, { status: answer.status ?? 200, headers: { 'content-type': 'application/json' } });
    }
    throw new Error(`unexpected request to ${request.url}`);
  };

  const context: ClientContext = {
    fetch,
    now: () => env.now,
    storage,
    crypto: {
      getRandomValues(array: Uint8Array) {
        for (let i = 0; i < array.length; i++) array[i] = (counter++ % 255) + 1;
        return array;
      },
      subtle: webcrypto.subtle,
    },
    locks: options.locks === false ? undefined : locks,
    appState: {
      save(state) {
        const id = `app-state-${appStates.size + 1}`;
        appStates.set(id, state);
        return id;
      },
      take(id) {
        const state = id === null ? undefined : appStates.get(id);
        if (id !== null) appStates.delete(id);
        return state;
      },
    },
    origin: 'https://app.test',
    currentPath: () => '/todos?filter=open#top',
    navigate: (url) => void navigations.push(url),
    loadFrame: (url, timeoutMs) => {
      frames.push({ url, timeoutMs });
      return env.frameAnswer(url);
    },
    issuer,
    clientId,
    redirectUri,
    scopes: ['openid', 'api'],
    postLogoutRedirectUri: undefined,
    silentRedirectUri: 'https://app.test/silent-callback.html',
    renewalMarginMs: 60_000,
    discover: createDiscovery(issuer, { fetch }),
    memory: { tokens: undefined },
    sessionEnded: () => {
      env.sessionsEnded += 1;
    },
    ...options.settings,
  };
  return { context, env };
}

/** The authorization request a URL carries, by parameter. */
export function authorizationParams(url: string): Record<string, string> {
  return Object.fromEntries(new URL(url).searchParams);
}

/** A token response the client accepts for a sign-in with `nonce` at `now`. */
export function tokenResponse(nonce: unknown, now: number, extra: Record<string, unknown> = {}) {
  return {
    json: {
      access_token: 'access-1',
      token_type: 'Bearer',
      expires_in: 300,
      refresh_token: 'refresh-1',
      id_token: jwt(idTokenClaims(nonce, now)),
      ...extra,
    },
  };
}

/** What a promise rejected with, or fails the test if it resolved. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

/** The promise rejects with a SignInError of this code — never a bare TypeError or SyntaxError. */
export async function expectSignInError(promise: Promise<unknown>, code: SignInErrorCode): Promise<void> {
  const failure = await rejection(promise);
  expect(failure).toBeInstanceOf(SignInError);
  expect((failure as SignInError).code).toBe(code);
}

/** Tokens as a completed sign-in at `now` leaves them, expiring five minutes later. */
export function signedInTokens(now: number, extra: Partial<Tokens> = {}): Tokens {
  const claims = idTokenClaims('nonce-1', now);
  return {
    accessToken: 'access-1',
    expiresAt: now + 300_000,
    refreshToken: 'refresh-1',
    idToken: jwt(claims),
    claims,
    ...extra,
  };
}
