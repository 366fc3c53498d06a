import {
  AccessTokenNotAvailableError,
  type AppState,
  type BffClient,
  type BffUser,
  type PublicClient,
} from '@gatehouse/browser';

/** Either client of `@gatehouse/browser`: the bindings work the same over both. */
export type GatehouseClient = BffClient | PublicClient<unknown>;

/**
 * The user a client describes: the BFF's `{ claims, scopes, session }`, or the public client's
 * ID-token claims (or what its `userFactory` makes of them).
 */
export type UserOf<Client> = Client extends BffClient
  ? BffUser
  : Client extends PublicClient<infer User>
    ? User
    : never;

export interface SignInOptions {
  /** Local path to come back to. Default: the current page. */
  returnUrl?: string;
  /** App state handed back after the sign-in (unsaved form input, say); see `useReturnedState`. */
  state?: AppState;
  /** Scopes to ask for besides the ones granted (incremental consent). Default: none. */
  scopes?: readonly string[];
}

/** `fetch`'s signature. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** What the bindings need from a client, the same for both kinds. */
export interface ClientAdapter {
  readonly kind: 'bff' | 'public';
  loadUser(): Promise<unknown>;
  /** Calls `listener` when the client reports a new user; returns an unsubscribe. */
  subscribe(listener: (user: unknown) => void): () => void;
  signIn(options: SignInOptions): void | Promise<void>;
  /** Signs out; a BFF client passes `state` through to the logged-out route. */
  signOut(options?: { state?: AppState }): Promise<void>;
  /** BFF clients only: the state passed through sign-out, taken once per page (see `returnedState`). */
  logoutState?(): AppState | undefined;
  /** Public clients only: finishes a sign-in on the redirect URI (keeping its app state, see below). */
  completeSignIn?(): Promise<{ returnUrl: string }>;
  /** The app state handed back by the last sign-in, taken from the client once per page. */
  returnedState(): AppState | undefined;
  authorizedFetch(scopes: readonly string[] | undefined, authorizedUrls: readonly string[] | undefined): FetchFunction;
}

// Taking the state consumes it, and React may run a render (and its initialisers) more than once: so it
// is taken once per client and page, then read from here.
const returned = new WeakMap<GatehouseClient, AppState | undefined>();
const loggedOut = new WeakMap<BffClient, AppState | undefined>();

function isPublicClient(client: GatehouseClient): client is PublicClient<unknown> {
  return typeof (client as PublicClient<unknown>).createAuthorizedFetch === 'function';
}

/**
 * The BFF attaches the tokens; the page can only make sure the session was granted `scopes` before it
 * calls. When it was not, the call throws the public client's {@link AccessTokenNotAvailableError}
 * (one `catch` for both kinds), whose `redirect()` asks the BFF for the missing scopes: the user
 * stays signed in while the provider asks (`/bff/login?scope=…`).
 */
function bffFetchFor(client: BffClient, scopes: readonly string[]): FetchFunction {
  return async (input, init) => {
    const user = await client.user();
    // An older BFF does not say which scopes it has: then the BFF's own answer decides.
    const granted = user && Array.isArray(user.scopes) ? user.scopes : undefined;
    const missing = granted ? scopes.filter((scope) => !granted.includes(scope)) : [];
    if (missing.length > 0) {
      throw new AccessTokenNotAvailableError(async (options) => client.login({ ...options, scopes: missing }), missing);
    }
    return client.fetch(input, init);
  };
}

/** Wraps a BFF client or a public client behind one interface; anything else is a caller mistake. */
export function adaptClient(client: GatehouseClient): ClientAdapter {
  if (
    !client ||
    typeof client !== 'object' ||
    typeof client.onUserChange !== 'function' ||
    (!isPublicClient(client) && typeof client.fetch !== 'function')
  ) {
    throw new TypeError('GatehouseProvider: client must be a createBffClient() or createPublicClient() client');
  }

  if (isPublicClient(client)) {
    return {
      kind: 'public',
      loadUser: async () => client.user(),
      subscribe: (listener) => client.onUserChange(listener),
      signIn: (options) => client.signIn(options),
      signOut: () => client.signOut(),
      completeSignIn: async () => {
        const result = await client.completeSignIn();
        returned.set(client, result.state);
        return result;
      },
      returnedState: () => returned.get(client),
      authorizedFetch: (scopes, authorizedUrls) =>
        client.createAuthorizedFetch(authorizedUrls, scopes ? { scopes } : undefined),
    };
  }
  return {
    kind: 'bff',
    loadUser: () => client.user(),
    subscribe: (listener) => client.onUserChange(listener),
    signIn: (options) => client.login(options),
    signOut: (options) => client.logout(options),
    logoutState() {
      if (!loggedOut.has(client)) loggedOut.set(client, client.takeLogoutState());
      return loggedOut.get(client);
    },
    returnedState() {
      if (!returned.has(client)) returned.set(client, client.takeReturnedState());
      return returned.get(client);
    },
    authorizedFetch: (scopes) => (scopes?.length ? bffFetchFor(client, scopes) : client.fetch),
  };
}
