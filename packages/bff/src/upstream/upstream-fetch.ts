import { isBelowApiBase, ProviderUnavailableError, withAppsecretProof } from '@gatehouse/oidc-client';
import type { BffContext } from '../context.js';
import { UpstreamCallError } from './upstream-call-error.js';
import { exchangeForUpstreamToken, type UpstreamToken } from './upstream-token-exchange.js';

/**
 * Calls an upstream provider's API as a user who is not there (`app.upstreamFetch`); see
 * {@link createUpstreamFetch}.
 */
export type UpstreamFetch = (
  subject: string,
  upstream: string,
  url: string | URL,
  init?: RequestInit,
) => Promise<Response>;

/**
 * `upstreamFetch(subject, upstream, url, init)`: the user's offline grant (`offlineGrants.asUser`)
 * gives a fresh access token from the authorization server, which exchanges it for the user's token
 * at `upstream`; the call goes to `url` with `Authorization: Bearer <upstream token>` and, when the
 * upstream wants one, the `appsecret_proof` query parameter (any given one is replaced). Redirects are
 * not followed (`redirect: 'manual'`): the response is returned as it is, whatever its status.
 *
 * Nothing is cached: each call asks the authorization server twice (refresh, exchange), so a
 * revoked offline grant or an unlinked upstream account takes effect at once.
 *
 * Throws `TypeError` for an upstream missing from `upstreams`; {@link UpstreamCallError} with
 * `url_not_allowed` (outside `apiBaseUrl`, or none configured — checked before any request),
 * `consent_required`, `not_allowed` or `unavailable` (the upstream, or the authorization server, is
 * down); `OfflineAccessError` from `asUser` as it is.
 *
 * @example
 * const response = await app.upstreamFetch(sub, 'social', 'https://graph.example.com/me/posts');
 */
export function createUpstreamFetch(context: BffContext): UpstreamFetch {
  const client = { clientId: context.config.clientId, clientSecret: context.config.clientSecret };
  return async (subject, upstream, url, init = {}) => {
    const config = context.config.upstreams.find((candidate) => candidate.name === upstream);
    if (!config) throw new TypeError(`upstreamFetch: no upstream is named ${upstream} in the BFF's upstreams`);
    if (config.apiBaseUrl === undefined || !isBelowApiBase(url, config.apiBaseUrl)) {
      throw new UpstreamCallError('url_not_allowed', upstream, `the URL is outside ${upstream}'s apiBaseUrl`);
    }
    let token: UpstreamToken;
    try {
      token = await context.offlineGrants.asUser(subject, [], (accessToken) =>
        exchangeForUpstreamToken(context.metadata, client, accessToken, upstream, {
          fetch: context.fetch,
          now: context.now,
        }),
      );
    } catch (error) {
      if (error instanceof ProviderUnavailableError)
        throw new UpstreamCallError('unavailable', upstream, 'the authorization server is unreachable', {
          cause: error,
        });
      throw error;
    }
    const href = new URL(url).href;
    const target = token.appsecretProof ? withAppsecretProof(href, token.appsecretProof) : href;
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token.accessToken}`);
    // Never follow a redirect: it could take the token (or the proof) outside the API base.
    return context.fetch(target, { ...init, headers, redirect: 'manual' });
  };
}
