/** The SPA's pages, by name; the BFF serves `index.html` for each of their paths. */
export type RouteName =
  | 'home'
  | 'weather'
  | 'todos'
  | 'profile'
  | 'schedule'
  | 'social'
  | 'login-failed'
  | 'logged-out'
  | 'logout-failed'
  | 'not-found';

export interface Route {
  name: RouteName;
  path: string;
  /** The document title's first part. */
  title: string;
  /** Only for a signed-in user: a visitor is signed in first and brought back (the route guard). */
  requiresUser?: boolean;
}

export const routes: readonly Route[] = Object.freeze([
  { name: 'home', path: '/', title: 'Home' },
  { name: 'weather', path: '/weather', title: 'Weather' },
  { name: 'todos', path: '/todos', title: 'Todos' },
  { name: 'profile', path: '/profile', title: 'Profile', requiresUser: true },
  { name: 'schedule', path: '/schedule', title: 'Schedule', requiresUser: true },
  { name: 'social', path: '/social-feed', title: 'Example Social' },
  { name: 'login-failed', path: '/authentication/login-failed', title: 'Sign-in failed' },
  { name: 'logged-out', path: '/authentication/logged-out', title: 'Signed out' },
  { name: 'logout-failed', path: '/authentication/logout-failed', title: 'Sign-out failed' },
]);

const notFound: Route = { name: 'not-found', path: '', title: 'Page not found' };

/**
 * The route for a path (no query or hash). A trailing slash and `/index.html` are tolerated;
 * case matters, as it does on the server.
 */
export function matchRoute(pathname: string): Route {
  const path = pathname === '/index.html' ? '/' : pathname.replace(/(.)\/+$/, '$1');
  return routes.find((route) => route.path === path) ?? notFound;
}

/** Where a sign-in started on this path should come back to: not to a page about a finished sign-in or sign-out. */
export function returnPathAfterLogin(pathname: string, search: string): string {
  const route = matchRoute(pathname);
  if (route.name === 'login-failed' || route.name === 'logged-out' || route.name === 'logout-failed') return '/';
  return `${pathname}${search}`;
}
