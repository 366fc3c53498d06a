import type { BffUser, IdTokenClaims } from '@gatehouse/browser';
import { createContext, useContext } from 'react';
import type { ClientAdapter, SignInOptions } from './client.js';

/**
 * `loading` until the client answered; `error` when it could not (the BFF unreachable, say): neither
 * is "signed out", so nothing starts a sign-in on them.
 */
export type AuthenticationStatus = 'loading' | 'signed-in' | 'signed-out' | 'error';

export interface AuthenticationState {
  status: AuthenticationStatus;
  user: BffUser | IdTokenClaims | null;
  /** What the client threw when `status` is `error`. */
  error: unknown;
}

export interface GatehouseContextValue {
  state: AuthenticationState;
  adapter: ClientAdapter;
  authorizedUrls: readonly string[];
  navigate: (url: string) => void;
  signIn(options?: SignInOptions): void | Promise<void>;
  signOut(): Promise<void>;
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
