import type { AppState } from '../redirect-state/redirect-state.js';

/** The authentication routes an app may mount (the names follow the usual SPA conventions). */
export type AuthenticationRoute =
  | 'login'
  | 'login-callback'
  | 'login-failed'
  | 'logout'
  | 'logout-callback'
  | 'logout-failed'
  | 'logged-out'
  | 'profile'
  | 'register';

const routeNames: readonly AuthenticationRoute[] = [
  'login',
  'login-callback',
  'login-failed',
  'logout',
  'logout-callback',
  'logout-failed',
  'logged-out',
  'profile',
  'register',
];

/**
 * Where message views render: any DOM element. Typed by what is used, so the module also compiles
 * (and is unit-tested) without the DOM library.
 */
export interface RouteContainer {
  replaceChildren(...nodes: unknown[]): void;
  ownerDocument: { createElement(tag: 'p'): { textContent: string | null } };
}

interface PageLocation {
  pathname: string;
  search: string;
  hash?: string;
  assign(url: string): void;
}
const pageLocation = () => (globalThis as unknown as { location: PageLocation }).location;

/** What a view gets: the route, its query parameters, a readable message, and where to render. */
export interface AuthenticationRouteContext {
  route: AuthenticationRoute;
  params: URLSearchParams;
  /** A sentence for the user (the failure, or "You are signed out."), for message routes. */
  message: string | undefined;
  container: RouteContainer | undefined;
  /** On `logged-out`: the state the app passed through sign-out (`logout({ state })`), once. */
  state?: AppState | undefined;
}

/** Replaces a route's default behaviour or message view. */
export type AuthenticationRouteView = (context: AuthenticationRouteContext) => void | Promise<void>;

export interface AuthenticationRoutesOptions {
  /** Where the routes live. Default `/authentication`. */
  basePath?: string;
  /** Other paths for some routes (absolute paths), e.g. `{ 'login-failed': '/oops' }`. */
  paths?: Partial<Record<AuthenticationRoute, string>>;
  /** A view per route, replacing the default (message routes render a paragraph into the container). */
  views?: Partial<Record<AuthenticationRoute, AuthenticationRouteView>>;
  /**
   * Starts a sign-in that returns to `returnUrl` with `state` kept (a BFF client's `login`, or a
   * public client's `signIn`).
   */
  signIn(options: { returnUrl: string; state?: AppState }): void | Promise<void>;
  /** Whether a user is signed in, for {@link AuthenticationRoutes.requireAuth} (`!!(await bff.user())`). */
  isSignedIn?(): boolean | Promise<boolean>;
  /** The state passed through sign-out, for the `logged-out` view (a BFF client's `takeLogoutState`). */
  takeLogoutState?(): AppState | undefined;
  /** Public clients: finishes the sign-in on `login-callback` and says where to go next. */
  completeSignIn?(): Promise<{ returnUrl: string }>;
  /** Signs out (a BFF client's or public client's `logout`/`signOut`). */
  signOut(): void | Promise<void>;
  /** The provider's account page and registration page, for `profile` and `register`. */
  profileUrl?: string;
  registerUrl?: string;
  /** Default: `location.assign`. */
  navigate?: (url: string) => void;
}

export interface AuthenticationRoutes {
  /** The path of each route. */
  readonly paths: Readonly<Record<AuthenticationRoute, string>>;
  /** The route a path belongs to, or undefined. */
  match(pathname: string): AuthenticationRoute | undefined;
  /**
   * Handles the current location if it is an authentication route, rendering message views into
   * `container`. Returns whether it did, so the app's own router handles everything else.
   */
  handle(location?: { pathname: string; search: string }, container?: RouteContainer): Promise<boolean>;
  /**
   * The guard of a protected route (Blazor's `[Authorize]` + `RedirectToLogin`): resolves `true`
   * when a user is signed in, so the route renders; otherwise starts a sign-in that comes back to
   * this route (path, query and hash) with `state` handed back, and resolves `false`. An error from
   * `isSignedIn` (the BFF unavailable, say) is passed on: an outage never starts a sign-in.
   */
  requireAuth(options?: {
    location?: { pathname: string; search: string; hash?: string };
    state?: AppState;
  }): Promise<boolean>;
}

const messages: Record<string, string> = {
  access_denied: 'You declined to sign in, so the app cannot act for you.',
  login_required: 'You are not signed in at the provider any more. Sign in again.',
  consent_required: 'The app needs your permission first. Sign in again to give it.',
  interaction_required: 'The provider needs you to confirm something. Sign in again.',
  temporarily_unavailable: 'Sign-in is unavailable for a moment. Try again shortly.',
  provider_unavailable: 'The sign-in service could not be reached. Try again shortly.',
  invalid_state: 'That sign-in link expired or was already used. Start again.',
  account_mismatch: 'You signed in as somebody else, so nothing changed. Sign in with your own account.',
  invalid_scope: 'The app asked for a permission it may not ask for.',
};

/** A readable sentence for an OAuth or SDK error code; a generic one for anything unknown. */
export function describeAuthenticationError(code: string | null | undefined): string {
  return (code && messages[code]) || 'Sign-in did not complete. Try again.';
}

/** A return URL only if it is a same-origin path (never `//host`, `/\host` or a scheme). */
function localPath(value: string | null): string {
  return value && /^\/(?![/\\])[^\s\\]*$/.test(value) ? value : '/';
}

/**
 * Authentication routes for an SPA, with configurable paths and a replaceable view per route. `login`
 * starts a sign-in (to `?returnUrl=`, a local path), `login-callback` completes a public client's
 * sign-in, `logout` signs out, `logout-callback` goes on to `logged-out`; `login-failed`,
 * `logout-failed` and `logged-out` show a message; `profile` and `register` go to the provider.
 *
 * @example
 * const routes = createAuthenticationRoutes({ signIn: (o) => bff.login(o), signOut: () => bff.logout() });
 * if (!(await routes.handle(location, document.querySelector('main')!))) renderApp();
 */
export function createAuthenticationRoutes(options: AuthenticationRoutesOptions): AuthenticationRoutes {
  const base = options.basePath ?? '/authentication';
  if (!/^\/[A-Za-z0-9/_-]*$/.test(base)) throw new TypeError('basePath must be a path such as /authentication');
  const paths = {} as Record<AuthenticationRoute, string>;
  for (const name of routeNames) paths[name] = options.paths?.[name] ?? `${base.replace(/\/$/, '')}/${name}`;
  const navigate = options.navigate ?? ((url: string) => pageLocation().assign(url));
  const byPath = new Map(routeNames.map((name) => [paths[name], name] as const));

  const show = (context: AuthenticationRouteContext) => {
    if (!context.container) return;
    const paragraph = context.container.ownerDocument.createElement('p');
    paragraph.textContent = context.message ?? '';
    context.container.replaceChildren(paragraph);
  };

  async function run(route: AuthenticationRoute, params: URLSearchParams, container: RouteContainer | undefined) {
    const view = options.views?.[route];
    const context = (message?: string): AuthenticationRouteContext => ({ route, params, message, container });
    switch (route) {
      case 'login':
        return view ? view(context()) : options.signIn({ returnUrl: localPath(params.get('returnUrl')) });
      case 'login-callback': {
        if (view) return view(context());
        if (!options.completeSignIn) return navigate('/');
        try {
          const { returnUrl } = await options.completeSignIn();
          return navigate(localPath(returnUrl));
        } catch (error) {
          const code = (error as { code?: string }).code ?? 'login_failed';
          return navigate(`${paths['login-failed']}?error=${encodeURIComponent(code)}`);
        }
      }
      case 'logout':
        return view ? view(context()) : options.signOut();
      case 'logout-callback':
        return view ? view(context()) : navigate(paths['logged-out']);
      case 'profile':
      case 'register': {
        const url = route === 'profile' ? options.profileUrl : options.registerUrl;
        if (view) return view(context());
        return url ? navigate(url) : navigate('/');
      }
      case 'login-failed':
        return (view ?? show)(context(describeAuthenticationError(params.get('error'))));
      case 'logout-failed':
        return (view ?? show)(context('Signing out did not complete. Close the browser to be sure.'));
      case 'logged-out':
        return (view ?? show)({ ...context('You are signed out.'), state: options.takeLogoutState?.() });
    }
  }

  return {
    paths,
    match: (pathname) => byPath.get(pathname),
    async handle(current = pageLocation(), container) {
      const route = byPath.get(current.pathname);
      if (!route) return false;
      await run(route, new URLSearchParams(current.search), container);
      return true;
    },
    async requireAuth({ location: current = pageLocation(), state } = {}) {
      if (!options.isSignedIn) throw new TypeError('requireAuth needs the isSignedIn option');
      if (await options.isSignedIn()) return true;
      const returnUrl = localPath(`${current.pathname}${current.search}${current.hash ?? ''}`);
      await options.signIn(state ? { returnUrl, state } : { returnUrl });
      return false;
    },
  };
}
