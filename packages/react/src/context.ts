import type { AppState } from '@gatehouse/browser';
import { createContext, useContext } from 'react';
import type { ClientAdapter, SignInOptions } from './client.js';

/**
 * `loading` until the client answered; `error` when it could not (the BFF unreachable: a `BffUnavailableError`): neither
 * is "signed out", so nothing starts a sign-in on them.
 */
export type AuthenticationStatus = 'loading' | 'signed-in' | 'signed-out' | 'error';

export interface AuthenticationState {
  status: AuthenticationStatus;
  /** The client's user (`BffUser`, the public client's claims or its `userFactory`'s), or `null`. */
  user: unknown;
  /** What the client threw when `status` is `error`. */
  error: unknown;
}

export interface GatehouseContextValue {
  state: AuthenticationState;
  adapter: ClientAdapter;
  /** Public clients: where tokens go; `undefined` leaves the SDK's default (this page's origin). */
  authorizedUrls: readonly string[] | undefined;
  navigate: (url: string) => void;
  signIn(options?: SignInOptions): void | Promise<void>;
  signOut(options?: { state?: AppState }): Promise<void>;
  /** Asks the client again (after a public client's `completeSignIn`, say). */
  refresh(): Promise<void>;
}

export const GatehouseContext = createContext<GatehouseContextValue | null>(null);

/** The provider's value; outside a `<GatehouseProvider>` a hook cannot work, so it says so. */
export function useGatehouseContext(hook: string): GatehouseContextValue {
  const value = useContext(GatehouseContext);
  if (!value) throw new Error(`${hook} must be used inside <GatehouseProvider>`);
  return value;
}
