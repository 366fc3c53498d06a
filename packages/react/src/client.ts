import type { AppState, BffClient, BffUser, IdTokenClaims, PublicClient } from '@gatehouse/browser';

/** Either client of `@gatehouse/browser`: the bindings work the same over both. */
export type GatehouseClient = BffClient | PublicClient;

/** The user a client describes: the BFF's `{ claims, session }`, or the public client's ID-token claims. */
export type UserOf<Client> = Client extends BffClient ? BffUser : Client extends PublicClient ? IdTokenClaims : never;

export interface SignInOptions {
  /** Local path to come back to. Default: the current page. */
  returnUrl?: string;
  /** App state handed back after the sign-in (unsaved form input, say). */
  state?: AppState;
}

/** `fetch`'s signature. */
export type FetchFunction = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** What the bindings need from a client, the same for both kinds. */
export interface ClientAdapter {
  readonly kind: 'bff' | 'public';
  loadUser(): Promise<BffUser | IdTokenClaims | null>;
  /** Calls `listener` when the client reports a new user; returns an unsubscribe. */
  subscribe(listener: (user: BffUser | IdTokenClaims | null) => void): () => void;
  signIn(options: SignInOptions): void | Promise<void>;
  signOut(): Promise<void>;
  /** Public clients only: finishes a sign-in on the redirect URI (keeping its app state, see below). */
  completeSignIn?(): Promise<{ returnUrl: string }>;
  /** The app state handed back by the last sign-in, taken from the client once per page. */
  returnedState(): AppState | undefined;
  authorizedFetch(scopes: readonly string[] | undefined, authorizedUrls: readonly string[]): FetchFunction;
}

type Listener = (user: BffUser | IdTokenClaims | null) => void;
/** The client's `onUserChange`, when its SDK version has one (the public client gains it later). */
function userChangeOf(client: GatehouseClient): ((listener: Listener) => () => void) | undefined {
  const candidate = (client as { onUserChange?: unknown }).onUserChange;
  return typeof candidate === 'function' ? (listener) => candidate.call(client, listener) as () => void : undefined;
}

// Taking the state consumes it, and React may run a render (and its initialisers) more than once: so it
// is taken once per client and page, then read from here.
const returned = new WeakMap<GatehouseClient, AppState | undefined>();

function isPublicClient(client: GatehouseClient): client is PublicClient {
  return typeof (client as PublicClient).createAuthorizedFetch === 'function';
}

/** Wraps a BFF client or a public client behind one interface; anything else is a caller mistake. */
export function adaptClient(client: GatehouseClient): ClientAdapter {
  if (!client || typeof client !== 'object' || (!isPublicClient(client) && typeof client.fetch !== 'function')) {
    throw new TypeError('GatehouseProvider: client must be a createBffClient() or createPublicClient() client');
  }
  const onUserChange = userChangeOf(client);
  const subscribe = (listener: Listener) => (onUserChange ? onUserChange(listener) : () => {});

  if (isPublicClient(client)) {
    return {
      kind: 'public',
      loadUser: async () => client.user(),
      subscribe,
      signIn: (options) => client.signIn(options),
      signOut: () => client.signOut(),
      completeSignIn: async () => {
        const result = await client.completeSignIn();
        returned.set(client, result.state);
        return result;
      },
      returnedState: () => returned.get(client),
      // The scopes go to the SDK's per-call option; an SDK without it asks for the sign-in scopes.
      authorizedFetch: (scopes, authorizedUrls) =>
        (
          client.createAuthorizedFetch as (
            urls: readonly string[],
            options?: { scopes?: readonly string[] },
          ) => FetchFunction
        )(authorizedUrls, scopes ? { scopes } : undefined),
    };
  }
  return {
    kind: 'bff',
    loadUser: () => client.user(),
    subscribe,
    signIn: (options) => client.login(options),
    signOut: () => client.logout(),
    returnedState() {
      if (!returned.has(client)) returned.set(client, client.takeReturnedState());
      return returned.get(client);
    },
    // The BFF attaches the tokens, with the scopes its routes are configured for; the page has none.
    authorizedFetch: () => client.fetch,
  };
}
