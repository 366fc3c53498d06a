import type { AppState } from '@gatehouse/browser';
import { createElement, Fragment, type ReactNode, useEffect, useRef } from 'react';
import { useGatehouseContext } from './context.js';
import { currentPath } from './page.js';

export interface RequireAuthProps {
  children?: ReactNode;
  /** Shown while the user is loading, while the sign-in starts, and when the client failed. Default: nothing. */
  fallback?: ReactNode;
  /** Shown instead of `fallback` when the client could not answer (the BFF unreachable, say). */
  errorFallback?: ReactNode;
  /** App state to hand back after the sign-in (read it with the client's `takeReturnedState()`). */
  state?: AppState;
  /** Where the sign-in comes back to. Default: the current path, query and fragment. */
  returnUrl?: string;
}

/**
 * Renders `children` only for a signed-in user. A visit while signed out starts a sign-in that comes
 * back to this route with `state` (Blazor's `[Authorize]` with `RedirectToLogin`). Loading or an error
 * never does, so an unreachable BFF does not send the user round in circles; nor does a session that
 * ends while the route is shown: that is a sign-out already on its way to the provider, or a
 * `LoginRequiredError` whose `redirect({ state })` the app started with what the user was typing — a
 * second navigation would cancel either. Then it shows `fallback`.
 *
 * @example
 * <RequireAuth fallback={<p>Signing you in…</p>}><Todos /></RequireAuth>
 */
export function RequireAuth({ children, fallback = null, errorFallback, state, returnUrl }: RequireAuthProps) {
  const { state: auth, adapter, signIn } = useGatehouseContext('<RequireAuth>');
  const started = useRef(false);
  const signedOut = auth.status === 'signed-out';
  if (auth.status === 'signed-in') started.current = true; // from now on, a sign-out is not a visit

  // biome-ignore lint/correctness/useExhaustiveDependencies: the state and return URL are read once, when the sign-in starts
  useEffect(() => {
    if (!signedOut || started.current) return;
    // A sign-in leaves the page, so the client has the last word: a status signed out for a render
    // or two (news of a completed sign-in still on its way through React) must not start one.
    let cancelled = false;
    void adapter.loadUser().then(
      (user) => {
        if (cancelled || user !== null || started.current) return;
        started.current = true; // once per mount: a re-render must not start a second navigation
        void signIn({ returnUrl: returnUrl ?? currentPath(), state });
      },
      () => {}, // the client cannot tell: never a sign-in on an outage
    );
    return () => {
      cancelled = true;
    };
  }, [signedOut, signIn, adapter]);

  if (auth.status === 'signed-in') return createElement(Fragment, null, children);
  if (auth.status === 'error' && errorFallback !== undefined) return createElement(Fragment, null, errorFallback);
  return createElement(Fragment, null, fallback);
}
