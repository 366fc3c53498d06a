import { type Child, el } from './element.js';

/** The spinner shown while a page loads (`data-testid="loading"`). */
export function loadingIndicator(label = 'Loading…'): HTMLElement {
  return el('div', { className: 'loading', testId: 'loading', attrs: { role: 'status' } }, [
    el('span', { className: 'spinner', attrs: { 'aria-hidden': 'true' } }),
    el('span', {}, [label]),
  ]);
}

export interface AlertOptions {
  /** A stable code for tests and support (`data-code`), e.g. `login_required`. */
  code?: string;
  /** Small print under the message. */
  detail?: string;
  /** A `data-testid` for the message itself, when a page needs its own hook. */
  messageTestId?: string;
  actions?: readonly Child[];
}

export interface AlertSlot {
  readonly element: HTMLElement;
  /** Shows one error box (`data-testid="page-error"`), replacing any other. */
  show(message: string, options?: AlertOptions): void;
  clear(): void;
}

/**
 * The page's one place for errors, so there is never more than one `page-error` box at a time.
 * The shell owns it and clears it at every navigation.
 */
export function createAlertSlot(): AlertSlot {
  const element = el('div', { className: 'alert-slot', attrs: { 'aria-live': 'assertive' } });
  return {
    element,
    show(message, options = {}) {
      const box = el('div', { className: 'alert alert-error', testId: 'page-error', attrs: { role: 'alert' } }, [
        el('p', { className: 'alert-message', ...(options.messageTestId ? { testId: options.messageTestId } : {}) }, [
          message,
        ]),
        options.detail ? el('p', { className: 'alert-detail' }, [options.detail]) : null,
        options.actions && options.actions.length > 0
          ? el('div', { className: 'alert-actions' }, options.actions)
          : null,
      ]);
      if (options.code) box.dataset.code = options.code;
      element.replaceChildren(box);
    },
    clear() {
      element.replaceChildren();
    },
  };
}

/** A titled section with a white surface. */
export function card(title: string | null, children: readonly Child[], className = ''): HTMLElement {
  return el('section', { className: `card ${className}`.trim() }, [
    title ? el('h2', { className: 'card-title' }, [title]) : null,
    ...children,
  ]);
}

/** The page's heading, focusable so a navigation can move the focus there. */
export function pageHeading(title: string, lead?: string): HTMLElement {
  return el('div', { className: 'page-heading' }, [
    el('h1', { attrs: { tabindex: '-1' } }, [title]),
    lead ? el('p', { className: 'lead' }, [lead]) : null,
  ]);
}
