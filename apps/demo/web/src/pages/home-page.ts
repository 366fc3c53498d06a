import { type Page, reportFailure } from '../app/page.js';
import { actionButton, el } from '../shell/element.js';
import { card, pageHeading } from '../shell/feedback.js';
import { describeTimeLeft, summarizeUser } from '../user-summary.js';

const tour = [
  { href: '/weather', title: 'Weather', text: 'Read data from the API through the BFF.' },
  { href: '/todos', title: 'Todos', text: 'Create, complete and delete, with a custom header.' },
  { href: '/profile', title: 'Profile', text: 'Edit your profile; unsaved input survives a new sign-in.' },
] as const;

function tourList(): HTMLElement {
  return el(
    'ul',
    { className: 'tour' },
    tour.map((stop) =>
      el('li', {}, [
        el('a', { className: 'tour-link', attrs: { href: stop.href, 'data-route': '' } }, [
          el('strong', {}, [stop.title]),
          el('span', {}, [stop.text]),
        ]),
      ]),
    ),
  );
}

function detail(term: string, value: Node | string): HTMLElement[] {
  return [el('dt', {}, [term]), el('dd', {}, [value])];
}

/** `/`: who is signed in, how, and until when; or an invitation to sign in. */
export const homePage: Page = (context) => {
  const { root, user, bff, config } = context;
  if (!user) {
    root.append(
      el('section', { className: 'hero' }, [
        pageHeading(
          'Sign in to try the demo',
          'This app keeps no token in the browser. A backend-for-frontend signs you in, holds your tokens, and ' +
            'calls the API for you; the page only has an HttpOnly session cookie.',
        ),
        el('div', { className: 'actions' }, [
          el(
            'button',
            {
              className: 'button button-primary',
              testId: 'home-sign-in',
              attrs: { type: 'button' },
              onClick: () => bff.login({ returnUrl: '/' }),
            },
            ['Sign in'],
          ),
          el('a', { className: 'button button-ghost', attrs: { href: '/public-client.html' } }, [
            'Try the no-backend version',
          ]),
        ]),
      ]),
      card('What you can do once signed in', [tourList()]),
    );
    return;
  }

  const summary = summarizeUser(user);
  const expires = new Date(summary.sessionExpiresAt);
  const methods =
    summary.signInMethods.length > 0
      ? el(
          'span',
          { className: 'chips' },
          summary.signInMethods.map((method) => el('span', { className: 'chip' }, [method])),
        )
      : el('span', { className: 'muted' }, ['Not reported by the provider']);
  root.append(
    pageHeading(
      `Welcome, ${summary.name}`,
      'You are signed in. Your tokens stay on the server; this page never sees them.',
    ),
    card('Your session', [
      el('dl', { className: 'details' }, [
        ...detail('Name', summary.name),
        ...detail('Email', summary.email ?? '—'),
        ...detail('Signed in with', methods),
        ...detail(
          'Session ends',
          el('span', {}, [
            `${describeTimeLeft(summary.sessionExpiresAt, Date.now())} `,
            el('time', { className: 'muted', attrs: { datetime: expires.toISOString() } }, [
              `(${expires.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })})`,
            ]),
          ]),
        ),
        ...detail('Identity provider', config.issuer),
      ]),
      el('div', { className: 'actions' }, [
        actionButton(
          'Sign out',
          { className: 'button button-ghost', testId: 'home-sign-out', busyLabel: 'Signing out…' },
          () => bff.logout().catch((error: unknown) => reportFailure(context, error)),
        ),
      ]),
    ]),
    card('Try it', [tourList()]),
  );
};
