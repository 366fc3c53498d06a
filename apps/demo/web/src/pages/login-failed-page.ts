import type { Page } from '../app/page.js';
import { describeLoginFailure, displayableErrorCode } from '../login-failure.js';
import { el } from '../shell/element.js';
import { pageHeading } from '../shell/feedback.js';

/** `/authentication/login-failed?error=<code>`, where the BFF ends a sign-in that did not work. */
export const loginFailedPage: Page = (context) => {
  const given = context.url.searchParams.get('error');
  const code = displayableErrorCode(given);
  context.root.append(pageHeading('Sign-in failed'));
  context.alert.show(describeLoginFailure(given), {
    code: code ?? 'unknown',
    messageTestId: 'login-failed-message',
    ...(code ? { detail: `Error code: ${code}` } : {}),
    actions: [
      el(
        'button',
        {
          className: 'button button-primary',
          testId: 'sign-in-again',
          attrs: { type: 'button' },
          onClick: () => context.bff.login({ returnUrl: '/' }),
        },
        ['Try again'],
      ),
      el('a', { className: 'button button-ghost', attrs: { href: '/', 'data-route': '' } }, ['Back to home']),
    ],
  });
};
