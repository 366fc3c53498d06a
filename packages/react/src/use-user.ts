import type { AppState, BffClient, PublicClient } from '@gatehouse/browser';
import type { GatehouseClient, SignInOptions, UserOf } from './client.js';
import { type AuthenticationStatus, useGatehouseContext } from './context.js';

export interface UseUserResult<User> {
  /** The user, or `null` while loading, signed out, or after an error. */
  user: User | null;
  status: AuthenticationStatus;
  isLoading: boolean;
  isAuthenticated: boolean;
  /** What the client threw when `status` is `error`. */
  error: unknown;
  /** Starts a sign-in that comes back to `returnUrl` (default: this page) with `state`. */
  signIn(options?: SignInOptions): void | Promise<void>;
  /** Signs out; with the BFF client, `state` comes back on the logged-out route (`useAuthenticationRoute().state`). */
  signOut(options?: { state?: AppState }): Promise<void>;
  /** Asks the client again. */
  refresh(): Promise<void>;
}

/**
 * The signed-in user and the sign-in and sign-out actions. Name the client's type to get its user's
 * type: `useUser<BffClient>().user?.claims.name`, `useUser<PublicClient>().user?.name`, or
 * `useUser<typeof client>()` for a public client with a `userFactory`.
 */
export function useUser<Client extends GatehouseClient = BffClient | PublicClient>(): UseUserResult<UserOf<Client>> {
  const { state, signIn, signOut, refresh } = useGatehouseContext('useUser()');
  return {
    user: state.user as UserOf<Client> | null,
    status: state.status,
    isLoading: state.status === 'loading',
    isAuthenticated: state.status === 'signed-in',
    error: state.error,
    signIn,
    signOut,
    refresh,
  };
}
