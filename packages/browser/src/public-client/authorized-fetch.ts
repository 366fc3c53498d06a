import { type AccessTokenContext, requestAccessToken } from './access-token.js';
import { isAuthorizedUrl } from './authorized-urls.js';
import type { ClientContext } from './client-context.js';
import { AccessTokenNotAvailableError } from './errors.js';

/** `fetch`'s signature. */
export type AuthorizedFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface AuthorizedFetchOptions {
  /**
   * The scopes the token must carry. Default: every scope granted at sign-in. A subset gets a token of
   * its own; a scope not yet granted makes the call throw {@link AccessTokenNotAvailableError}, whose
   * `redirect()` asks the user to consent to it.
   */
  scopes?: readonly string[];
  /**
   * The `fetch` this one hands every request to, the authorized ones with their token attached: the
   * next handler in a chain (another authorized fetch, one that logs or retries). Default: the page's.
   */
  fetch?: AuthorizedFetch;
}

/**
 * A `fetch` that attaches `Authorization: Bearer <token>` to requests under one of `authorizedUrls`
 * (see {@link isAuthorizedUrl}; relative ones are read against `base`) and hands every request to
 * `inner` otherwise as it came: the caller's input and options (credentials, cache, mode, signal,
 * keepalive, a `Request` and its body) reach `inner` unchanged, with only the header added. A token of
 * `undefined` sends the request without one.
 */
export function createBearerFetch(
  authorizedUrls: readonly string[],
  token: () => Promise<string | undefined> | string | undefined,
  inner: AuthorizedFetch,
  base: () => string,
): AuthorizedFetch {
  const prefixes = authorizedUrls.map((prefix) => new URL(prefix, base()));
  return async (input, init) => {
    const request = typeof input === 'object' && 'url' in input ? input : undefined;
    const url = new URL(request ? request.url : (input as string | URL), base());
    if (!isAuthorizedUrl(url, prefixes)) return inner(input, init);
    const bearer = await token();
    if (bearer === undefined) return inner(input, init);
    // The caller's headers (from `init`, else from its Request) with ours set over them.
    const headers = new Headers(init?.headers ?? request?.headers);
    headers.set('authorization', `Bearer ${bearer}`);
    return inner(input, { ...init, headers });
  };
}

/**
 * The public client's authorized fetch: {@link createBearerFetch} with the tab's access token for the
 * handler's scopes ({@link requestAccessToken}). When no token can be had without the user, it throws
 * {@link AccessTokenNotAvailableError} and sends nothing.
 */
export function createAuthorizedFetch(
  authorizedUrls: readonly string[],
  context: AccessTokenContext & Pick<ClientContext, 'origin' | 'currentPath' | 'fetch'>,
  options: AuthorizedFetchOptions = {},
): AuthorizedFetch {
  const token = async () => {
    const result = await requestAccessToken(context, options.scopes);
    if (result.status !== 'ok') throw new AccessTokenNotAvailableError(result.redirect, result.missingScopes);
    return result.accessToken;
  };
  return createBearerFetch(
    authorizedUrls,
    token,
    options.fetch ?? context.fetch,
    () => context.origin + context.currentPath(),
  );
}
