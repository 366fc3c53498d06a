import type { BffClient, BffUser, IdTokenClaims, PublicClient } from '@gatehouse/browser';
import { act, type ReactElement } from 'react';
import { createRoot } from 'react-dom/client';
import { page } from './page.js';

// Clients with the SDK's interfaces that record what the bindings ask of them; the SDK itself is tested
// in @gatehouse/browser, and the bindings against the real one in test/e2e/react-spa-journey.test.ts.

export const alice: BffUser = {
  claims: { sub: 'alice', name: 'Alice' },
  scopes: ['openid', 'profile', 'api'],
  session: { issuedAt: 1, expiresAt: 2, absoluteExpiresAt: 3 },
};

export function bffClient(user: () => Promise<BffUser | null>) {
  const calls: string[] = [];
  const listeners = new Set<(user: BffUser | null) => void>();
  const fetch = async () => new Response('{}');
  const client: BffClient = {
    user: () => {
      calls.push('user');
      return user();
    },
    onUserChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onSessionEnded: () => () => {},
    login: (options) => {
      calls.push(`login ${JSON.stringify(options)}`);
    },
    silentLogin: () => false,
    logout: async () => {
      calls.push('logout');
      for (const listener of listeners) listener(null);
    },
    fetch,
    takeReturnedState: () => undefined,
    takeLogoutState: () => undefined,
  };
  const emit = (next: BffUser | null) => {
    for (const listener of listeners) listener(next);
  };
  return { client, calls, fetch, emit, listeners };
}

export function publicClient(claims: IdTokenClaims | null) {
  const calls: string[] = [];
  let current = claims;
  const listeners = new Set<(user: IdTokenClaims | null) => void>();
  const client: PublicClient = {
    signIn: async (options) => {
      calls.push(`signIn ${JSON.stringify(options)}`);
    },
    completeSignIn: async () => {
      calls.push('completeSignIn');
      // As the SDK does: the code and state leave the address bar at once.
      page.history.replaceState(null, '', page.location.pathname);
      current = { iss: 'https://idp', sub: 'bob', aud: 'spa' };
      return { returnUrl: '/orders?page=2', state: undefined };
    },
    user: () => current,
    onUserChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onTokenExpiring: () => () => {},
    onSessionEnded: () => () => {},
    trySilentSignIn: async () => ({ status: 'signed-in' }) as never,
    requestAccessToken: async () => ({ status: 'ok', accessToken: 't', expiresAt: 0, scopes: ['openid'] }),
    createAuthorizedFetch: (...args: unknown[]) => {
      calls.push(`createAuthorizedFetch ${JSON.stringify(args)}`);
      return async () => new Response('{}');
    },
    signOut: async () => {
      calls.push('signOut');
      current = null;
      for (const listener of listeners) listener(null);
    },
    takeLogoutState: () => undefined,
  };
  return { client, calls };
}

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** Renders into a fresh element of the page and lets effects and pending promises settle. */
export async function render(element: ReactElement) {
  const container = page.document.createElement('div');
  page.document.body.append(container);
  const root = createRoot(container);
  await act(async () => root.render(element));
  return {
    container,
    rerender: (next: ReactElement) => act(async () => root.render(next)),
    unmount: () => act(async () => root.unmount()),
  };
}

/** Lets queued promises and the renders they cause run. */
export const settle = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)));
