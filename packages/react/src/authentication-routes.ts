import {
  type AppState,
  type AuthenticationRoute,
  type AuthenticationRoutesOptions,
  type AuthenticationRouteView,
  createAuthenticationRoutes,
} from '@gatehouse/browser';
import { createElement, Fragment, type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { useGatehouseContext } from './context.js';
import { useCurrentPath } from './navigation.js';
import { page } from './page.js';

/** Where the routes live; the actions come from the provider's client. */
export type UseAuthenticationRoutesOptions = Pick<
  AuthenticationRoutesOptions,
  'basePath' | 'paths' | 'profileUrl' | 'registerUrl'
>;

export interface AuthenticationRouteState {
  /** The authentication route of the current path, or `undefined` for the app's own pages. */
  route: AuthenticationRoute | undefined;
  params: URLSearchParams;
  /** For `login-failed`, `logout-failed` and `logged-out`: the sentence to show, once handled. */
  message: string | undefined;
  /** On `logged-out`: the state the app passed through sign-out (`signOut({ state })`, BFF client). */
  state: AppState | undefined;
  /** The path of every route, for links (`paths.login`, `paths['logged-out']` …). */
  paths: Readonly<Record<AuthenticationRoute, string>>;
}

/**
 * Runs the authentication route the current path belongs to (`createAuthenticationRoutes` of
 * `@gatehouse/browser`, wired to the provider's client): `login` signs in, `login-callback` completes
 * a public client's sign-in, `logout` signs out; message routes hand their sentence back to render.
 * Each visit is handled once, even when React runs effects twice (StrictMode) or the callback cleans
 * the address bar.
 */
export function useAuthenticationRoute(options: UseAuthenticationRoutesOptions = {}): AuthenticationRouteState {
  const { adapter, navigate, signOut, refresh } = useGatehouseContext('useAuthenticationRoute()');
  const path = useCurrentPath();
  const [shown, setShown] = useState<{ path: string; message: string | undefined; state: AppState | undefined }>();
  const handled = useRef<string>(undefined);
  const { basePath, profileUrl, registerUrl } = options;
  const pathsKey = JSON.stringify(options.paths ?? {});

  // biome-ignore lint/correctness/useExhaustiveDependencies: `paths` counts by value (`pathsKey`)
  const routes = useMemo(() => {
    const show: AuthenticationRouteView = ({ message, state }) =>
      setShown({ path: `${page().location.pathname}${page().location.search}`, message, state });
    const complete = adapter.completeSignIn;
    return createAuthenticationRoutes({
      basePath,
      paths: options.paths,
      profileUrl,
      registerUrl,
      navigate,
      takeLogoutState: adapter.logoutState,
      signIn: (signInOptions) => adapter.signIn(signInOptions),
      signOut,
      completeSignIn: complete
        ? async () => {
            const result = await complete();
            await refresh(); // the tokens are in memory now: the provider learns of the user
            return result;
          }
        : undefined,
      views: { 'login-failed': show, 'logout-failed': show, 'logged-out': show },
    });
  }, [adapter, navigate, signOut, refresh, basePath, pathsKey, profileUrl, registerUrl]);

  const [pathname = '', search = ''] = path.split(/(?=\?)/);
  const route = routes.match(pathname);

  // A visit is handled once. The callback's is its path alone: completing the sign-in takes the code
  // and state out of the address bar, and that must not count as a new visit (a second redemption
  // would fail as `invalid_state`).
  const visit = route === 'login-callback' ? pathname : path;
  useEffect(() => {
    if (!route) {
      handled.current = undefined; // back in the app: the next visit is a new one
      return;
    }
    if (handled.current === visit) return;
    handled.current = visit;
    void routes.handle({ pathname, search });
  }, [route, routes, visit, pathname, search]);

  return {
    route,
    params: new URLSearchParams(search),
    message: shown?.path === path ? shown.message : undefined,
    state: shown?.path === path ? shown.state : undefined,
    paths: routes.paths,
  };
}

export interface AuthenticationRoutesProps extends UseAuthenticationRoutesOptions {
  /** The app, rendered on every path that is not an authentication route. */
  children?: ReactNode;
  /** Renders an authentication route. Default: its message in a paragraph (nothing while it works). */
  render?: (state: AuthenticationRouteState) => ReactNode;
}

/**
 * The authentication routes in one element: on their paths it runs the route and renders `render`,
 * everywhere else `children`.
 *
 * @example
 * <AuthenticationRoutes render={({ message }) => <p role="status">{message}</p>}><App /></AuthenticationRoutes>
 */
export function AuthenticationRoutes({ children, render, ...options }: AuthenticationRoutesProps) {
  const state = useAuthenticationRoute(options);
  if (!state.route) return createElement(Fragment, null, children);
  if (render) return createElement(Fragment, null, render(state));
  return state.message === undefined ? null : createElement('p', null, state.message);
}
