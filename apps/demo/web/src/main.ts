import './styles.css';
import { type AppState, type BffUser, createAuthenticationRoutes, createBffClient } from '@gatehouse/browser';
import { renderAccountMenu } from './app/account-menu.js';
import { describeFailure } from './app/api-response.js';
import type { Page } from './app/page.js';
import { createRouter } from './app/router.js';
import { type DemoConfig, loadDemoConfig } from './demo-config.js';
import { homePage } from './pages/home-page.js';
import { loggedOutPage } from './pages/logged-out-page.js';
import { loginFailedPage } from './pages/login-failed-page.js';
import { logoutFailedPage } from './pages/logout-failed-page.js';
import { notFoundPage } from './pages/not-found-page.js';
import { profilePage } from './pages/profile-page.js';
import { schedulePage } from './pages/schedule-page.js';
import { socialPage } from './pages/social-page.js';
import { todosPage } from './pages/todos-page.js';
import { weatherPage } from './pages/weather-page.js';
import { matchRoute, type RouteName, returnPathAfterLogin } from './routes.js';
import { el } from './shell/element.js';
import { createAlertSlot, loadingIndicator } from './shell/feedback.js';
import { createHeader, type NavId } from './shell/header.js';

const pages: Readonly<Record<RouteName, Page>> = {
  home: homePage,
  weather: weatherPage,
  todos: todosPage,
  profile: profilePage,
  schedule: schedulePage,
  social: socialPage,
  'login-failed': loginFailedPage,
  'logged-out': loggedOutPage,
  'logout-failed': logoutFailedPage,
  'not-found': notFoundPage,
};

const navFor: Partial<Record<RouteName, NavId>> = {
  home: 'home',
  weather: 'weather',
  todos: 'todos',
  profile: 'profile',
  schedule: 'schedule',
  social: 'social',
};

async function start(mount: HTMLElement): Promise<void> {
  const bff = createBffClient();
  // First, before anything rewrites the address: state saved before a login, handed back once.
  let returnedState: AppState | undefined = bff.takeReturnedState();

  const header = createHeader();
  const alert = createAlertSlot();
  const outlet = el('div', { className: 'outlet' }, [loadingIndicator()]);
  const main = el('main', { className: 'main', attrs: { id: 'main' } }, [outlet]);
  mount.replaceChildren(
    el('a', { className: 'skip-link', attrs: { href: '#main' } }, ['Skip to content']),
    header.element,
    main,
  );

  const accountActions = {
    signIn: () => bff.login({ returnUrl: returnPathAfterLogin(location.pathname, location.search) }),
    async signOut() {
      try {
        // State across sign-out: the logged-out page offers the way back to this page.
        await bff.logout({ state: { signedOutFrom: returnPathAfterLogin(location.pathname, location.search) } });
      } catch (error) {
        alert.show(`Signing out failed. ${describeFailure(error).message}`, { code: 'logout_failed' });
      }
    },
  };
  renderAccountMenu(header.account, 'checking', accountActions);

  let userCheckFailed = false;
  const [config, firstUser]: [DemoConfig, BffUser | null] = await Promise.all([
    loadDemoConfig((url, init) => fetch(url, init)),
    bff.user().catch(() => {
      userCheckFailed = true;
      return null;
    }),
  ]);
  let user = firstUser;
  let current: { name: RouteName; controller: AbortController } | undefined;

  // The SDK's authentication routes own /authentication/*: `login` and `logout` act, the message
  // routes render the demo's own pages through their views.
  const authRoutes = createAuthenticationRoutes({
    signIn: (options) => bff.login(options),
    signOut: () => accountActions.signOut(),
    isSignedIn: () => user !== null,
    takeLogoutState: () => bff.takeLogoutState(),
    profileUrl: `${config.issuer}/profile`,
    views: {
      'login-failed': () => render(new URL(location.href)),
      'logout-failed': () => render(new URL(location.href)),
      'logged-out': ({ state }) => {
        if (state) returnedState = state;
        render(new URL(location.href));
      },
    },
  });

  // Signed out on arrival (not on a page about a finished sign-in or sign-out): try once, without
  // a page, whether the provider still knows the user. It comes back here either way.
  if (!user && !userCheckFailed && authRoutes.match(location.pathname) === undefined) {
    if (bff.silentLogin({ returnUrl: `${location.pathname}${location.search}${location.hash}` })) return;
  }

  function show(url: URL): void {
    if (authRoutes.match(url.pathname) !== undefined) {
      void authRoutes.handle(url);
      return;
    }
    const route = matchRoute(url.pathname);
    // The route guard: a visitor to a signed-in-only page signs in and comes back to it.
    if (route.requiresUser && !userCheckFailed) {
      void authRoutes.requireAuth({ location: url }).then((allowed) => allowed && render(url));
      return;
    }
    render(url);
  }

  function render(url: URL): void {
    const isFirst = current === undefined;
    current?.controller.abort();
    const route = matchRoute(url.pathname);
    const controller = new AbortController();
    current = { name: route.name, controller };
    document.title = `${route.title} · Gatehouse demo`;
    header.setCurrent(navFor[route.name]);
    alert.clear();
    const root = el('div', { className: `page page-${route.name}` });
    outlet.replaceChildren(root);
    const page = pages[route.name];
    const context = { bff, config, user, root, alert, signal: controller.signal, returnedState, url };
    returnedState = undefined;
    let shown: ReturnType<Page>;
    try {
      shown = page(context);
    } catch (error) {
      shown = Promise.reject(error);
    }
    // Pages draw their heading before they wait for anything: the error box goes right under it.
    const heading = root.querySelector('.page-heading');
    if (heading) heading.after(alert.element);
    else root.prepend(alert.element);
    Promise.resolve(shown).catch(() => {
      if (!controller.signal.aborted) alert.show('Something unexpected went wrong. Please reload the page.');
    });
    // After a click, the focus goes to the new page's heading (as a page load would put it at the top).
    if (!isFirst) root.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true });
  }

  bff.onUserChange((changed) => {
    user = changed;
    renderAccountMenu(header.account, changed, accountActions);
    // Home is about the user: show it again; other pages tell about a lost session themselves.
    if (current?.name === 'home') show(new URL(location.href));
  });

  renderAccountMenu(header.account, user, accountActions);
  createRouter(show);
  show(new URL(location.href));
  if (userCheckFailed) {
    alert.show('The server could not be reached to check whether you are signed in. Please reload the page.', {
      code: 'network_error',
    });
  }
}

const mount = document.getElementById('app');
if (mount) void start(mount);
