import type { Page } from '../app/page.js';
import { el } from '../shell/element.js';
import { card, pageHeading } from '../shell/feedback.js';

/** Any other path the BFF handed to the SPA. */
export const notFoundPage: Page = (context) => {
  context.root.append(
    pageHeading('Page not found', 'There is no page at this address.'),
    card(null, [
      el('a', { className: 'button button-ghost', attrs: { href: '/', 'data-route': '' } }, ['Back to home']),
    ]),
  );
};
