import { createElement, type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { adaptClient, type GatehouseClient } from './client.js';
import { type AuthenticationState, GatehouseContext, type GatehouseContextValue } from './context.js';
import { navigateInApp } from './navigation.js';

export interface GatehouseProviderProps {
  /** A `createBffClient()` or `createPublicClient()` client, created once outside the component. */
  client: GatehouseClient;
  /**
   * Public clients: the URL prefixes `useAuthorizedFetch` attaches the access token to (relative ones
   * are read against this origin). Default: this page's origin. The BFF client ignores it.
   */
  authorizedUrls?: readonly string[];
  /**
   * How the authentication routes move within the app (pass your router's `navigate`). Default:
   * `history.pushState` plus a `popstate` event for paths of this app, a page load for anything else.
   */
  navigate?: (url: string) => void;
  children?: ReactNode;
}

const loading: AuthenticationState = { status: 'loading', user: null, error: undefined };
const stateOf = (user: unknown): AuthenticationState => ({
  status: user ? 'signed-in' : 'signed-out',
  user,
  error: undefined,
});

/**
 * Gives the components below it the signed-in user and the client's actions. It asks the client for
 * the user once when mounted and follows the client's `onUserChange` afterwards.
 *
 * @example
 * const bff = createBffClient();
 * createRoot(root).render(<GatehouseProvider client={bff}><App /></GatehouseProvider>);
 */
export function GatehouseProvider({ client, authorizedUrls, navigate, children }: GatehouseProviderProps) {
  const adapter = useMemo(() => adaptClient(client), [client]);
  const [state, setState] = useState<AuthenticationState>(loading);
  // Only the latest answer counts: a slow first `user()` must not overwrite a later change.
  const generation = useRef(0);

  const refresh = useCallback(async () => {
    const asked = ++generation.current;
    try {
      const user = await adapter.loadUser();
      if (asked === generation.current) setState(stateOf(user));
    } catch (error) {
      if (asked === generation.current) setState({ status: 'error', user: null, error });
    }
  }, [adapter]);

  useEffect(() => {
    const unsubscribe = adapter.subscribe((user) => {
      generation.current++;
      setState(stateOf(user));
    });
    void refresh();
    return () => {
      generation.current++;
      unsubscribe();
    };
  }, [adapter, refresh]);

  const urlsKey = authorizedUrls?.join(' ');
  // biome-ignore lint/correctness/useExhaustiveDependencies: the URLs count by value (`urlsKey`), not by array identity
  const value = useMemo<GatehouseContextValue>(
    () => ({
      state,
      adapter,
      authorizedUrls,
      navigate: navigate ?? navigateInApp,
      signIn: (options = {}) => adapter.signIn(options),
      signOut: async (options) => {
        await adapter.signOut(options);
        // Signed out here whatever the client reports, and before the provider's page takes over.
        setState(stateOf(null));
      },
      refresh,
    }),
    [state, adapter, urlsKey, navigate, refresh],
  );
  return createElement(GatehouseContext.Provider, { value }, children);
}
