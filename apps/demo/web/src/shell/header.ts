import { el } from './element.js';

export type NavId = 'home' | 'weather' | 'todos' | 'profile' | 'schedule' | 'social' | 'public';

const links: readonly { id: NavId; label: string; href: string }[] = [
  { id: 'home', label: 'Home', href: '/' },
  { id: 'weather', label: 'Weather', href: '/weather' },
  { id: 'todos', label: 'Todos', href: '/todos' },
  { id: 'profile', label: 'Profile', href: '/profile' },
  { id: 'schedule', label: 'Schedule', href: '/schedule' },
  { id: 'social', label: 'Social', href: '/social-feed' },
  { id: 'public', label: 'Public client', href: '/public-client.html' },
];

export interface Header {
  readonly element: HTMLElement;
  /** The right-hand side: who is signed in and the sign-in or sign-out button. */
  readonly account: HTMLElement;
  setCurrent(id: NavId | undefined): void;
}

/**
 * The header both documents share. In-app links carry `data-route`, which the SPA's router takes
 * over; the public-client link is always a full page load (another document, other tokens).
 */
export function createHeader(current?: NavId): Header {
  const anchors = links.map((link) =>
    el(
      'a',
      {
        className: 'nav-link',
        testId: `nav-${link.id}`,
        attrs: { href: link.href, ...(link.id === 'public' ? {} : { 'data-route': '' }) },
      },
      [link.label],
    ),
  );
  const account = el('div', { className: 'account' });
  const element = el('header', { className: 'site-header' }, [
    el('div', { className: 'site-header-inner' }, [
      el('a', { className: 'brand', attrs: { href: '/', 'data-route': '' } }, [
        el('span', { className: 'brand-mark', attrs: { 'aria-hidden': 'true' } }, ['G']),
        el('span', { className: 'brand-name' }, ['Gatehouse demo']),
      ]),
      account,
      el('nav', { className: 'site-nav', attrs: { 'aria-label': 'Main' } }, anchors),
    ]),
  ]);
  const header: Header = {
    element,
    account,
    setCurrent(id) {
      links.forEach((link, index) => {
        const anchor = anchors[index] as HTMLAnchorElement;
        if (link.id === id) anchor.setAttribute('aria-current', 'page');
        else anchor.removeAttribute('aria-current');
      });
    },
  };
  header.setCurrent(current);
  return header;
}
