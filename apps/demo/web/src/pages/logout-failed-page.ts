import type { Page } from '../app/page.js';
import { el } from '../shell/element.js';
import { pageHeading } from '../shell/feedback.js';

/** `/authentication/logout-failed`: the sign-out did not reach the server, so the session may stand. */
export const logoutFailedPage: Page = (context) => {
  context.root.append(pageHeading('Sign-out failed'));
  context.alert.show('Signing out did not complete: you may still be signed in. Try again, or close the browser.', {
    code: 'logout_failed',
    messageTestId: 'logout-failed-message',
    actions: [
      el(
        'button',
        {
          className: 'button button-primary',
          testId: 'sign-out-again',
          attrs: { type: 'button' },
          onClick: () => void context.bff.logout().catch(() => undefined),
        },
        ['Try again'],
      ),
      el('a', { className: 'button button-ghost', attrs: { href: '/', 'data-route': '' } }, ['Back to home']),
    ],
  });
};
