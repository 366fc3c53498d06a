import { type AppState, type BffClient, type BffUser, LoginRequiredError } from '@gatehouse/browser';
import type { DemoConfig } from '../demo-config.js';
import { el } from '../shell/element.js';
import type { AlertSlot } from '../shell/feedback.js';
import { describeFailure, isAbort } from './api-response.js';

/** What a page gets when it is shown. */
export interface PageContext {
  bff: BffClient;
  config: DemoConfig;
  /** The user as last known (the header keeps it current through `onUserChange`). */
  user: BffUser | null;
  /** The page's own element; empty when the page is called. */
  root: HTMLElement;
  /** The one error box, shared with the shell. */
  alert: AlertSlot;
  /** Aborted when the user leaves the page: pass it to reads, check it before touching the page. */
  signal: AbortSignal;
  /** State saved before a login and handed back after it; only for the first page shown. */
  returnedState: AppState | undefined;
  url: URL;
}

export type Page = (context: PageContext) => Promise<void> | void;

/**
 * Shows what went wrong in the page's error box. A `LoginRequiredError` gets a "Sign in" button
 * that comes back here (with `state`, if the page has unsaved input to keep).
 */
export function reportFailure(
  context: PageContext,
  error: unknown,
  login: { returnUrl?: string; state?: AppState } = {},
): void {
  if (context.signal.aborted || isAbort(error)) return;
  if (error instanceof LoginRequiredError) {
    const why = error.reason === 'no_session' ? 'You are not signed in.' : 'Your session has ended.';
    context.alert.show(`${why} Sign in to continue.`, {
      code: 'login_required',
      actions: [
        el(
          'button',
          {
            className: 'button button-primary',
            testId: 'page-sign-in',
            attrs: { type: 'button' },
            onClick: () =>
              error.redirect({
                returnUrl: login.returnUrl ?? `${context.url.pathname}${context.url.search}`,
                ...(login.state ? { state: login.state } : {}),
              }),
          },
          ['Sign in'],
        ),
      ],
    });
    return;
  }
  const { message, code } = describeFailure(error);
  context.alert.show(message, { code });
}
