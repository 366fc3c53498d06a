import { type AccessTokenContext, requestAccessToken } from './access-token.js';
import { isAuthorizedUrl } from './authorized-urls.js';
import type { ClientContext } from './client-context.js';
import { AccessTokenNotAvailableError } from './errors.js';

/** `fetch`'s signature. */
export type AuthorizedFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * A `fetch` that attaches `Authorization: Bearer` only to requests under one of `authorizedUrls`
 * (see {@link isAuthorizedUrl}; relative ones are read against the page's origin) and passes every
 * other request through untouched. When no token can be had without the user, it throws
 * {@link AccessTokenNotAvailableError}.
 */
export function createAuthorizedFetch(
  authorizedUrls: readonly string[],
  context: AccessTokenContext & Pick<ClientContext, 'origin'>,
): AuthorizedFetch {
  const prefixes = authorizedUrls.map((prefix) => new URL(prefix, context.origin));
  return async (input, init) => {
    const request = new Request(input, init);
    if (!isAuthorizedUrl(new URL(request.url), prefixes)) return context.fetch(request);
    const result = await requestAccessToken(context);
    if (result.status !== 'ok') throw new AccessTokenNotAvailableError(result.redirect);
    request.headers.set('authorization', `Bearer ${result.accessToken}`);
    return context.fetch(request);
  };
}
