import type { Page } from '../app/page.js';
import { el } from '../shell/element.js';
import { card, pageHeading } from '../shell/feedback.js';

/**
 * `/authentication/logged-out`, where the provider sends the browser back after a sign-out. The app
 * passed the page it was on through the sign-out (`logout({ state })`): "Sign in again" goes back there.
 */
export const loggedOutPage: Page = (context) => {
  const from = context.returnedState?.signedOutFrom;
  const returnUrl = typeof from === 'string' && /^\/(?![/\\])/.test(from) ? from : '/';
  context.root.append(
    pageHeading('You’re signed out'),
    card(null, [
      el('p', { testId: 'logged-out-message' }, [
        'You have signed out of the demo and of the identity provider. Your session is gone and its refresh token was revoked.',
      ]),
      el('div', { className: 'actions' }, [
        el(
          'button',
          {
            className: 'button button-primary',
            testId: 'sign-in-again',
            attrs: { type: 'button', 'data-return-url': returnUrl },
            onClick: () => context.bff.login({ returnUrl }),
          },
          [returnUrl === '/' ? 'Sign in again' : 'Sign in again and go back'],
        ),
        el('a', { className: 'button button-ghost', attrs: { href: '/', 'data-route': '' } }, ['Back to home']),
      ]),
    ]),
  );
};
