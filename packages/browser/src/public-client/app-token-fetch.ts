import { browserPage } from '../browser-page.js';
import { type AuthorizedFetch, createBearerFetch } from './authorized-fetch.js';

export interface TokenFetchOptions {
  /** URL prefixes the token may go to (same rules as the public client's); relative ones are this page's. */
  authorizedUrls: readonly string[];
  /**
   * The token the app holds, read at each call (so a token got later is used): the long-lived one its
   * server handed over, the one a one-time code was redeemed for. `undefined` sends the call without one.
   */
  accessToken: () => string | undefined | Promise<string | undefined>;
  /** The `fetch` to hand requests to. Default: the page's. */
  fetch?: AuthorizedFetch;
}

/**
 * A `fetch` for a token the app supplies rather than the public client's sign-in (the portability
 * configurations 2 and 3): it attaches `Authorization: Bearer` to calls under `authorizedUrls` only and
 * keeps every other option as given, exactly as the public client's authorized fetch does.
 *
 * @example
 * let token: string | undefined; // from the app's own hand-off
 * const api = createTokenFetch({ authorizedUrls: ['https://api.example.com'], accessToken: () => token });
 */
export function createTokenFetch(options: TokenFetchOptions): AuthorizedFetch {
  const page = browserPage();
  return createBearerFetch(
    options.authorizedUrls,
    options.accessToken,
    options.fetch ?? ((input, init) => page.fetch(input, init)),
    () => page.location.href,
  );
}
