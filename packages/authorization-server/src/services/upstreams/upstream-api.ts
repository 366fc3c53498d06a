import { type Fetch, isBelowApiBase, withAppsecretProof } from '@gatehouse/oidc-client';
import { computeAppSecretProof } from '@gatehouse/resource-server';
import type { UpstreamConfig } from '../../config/upstream-config.js';
import type { AccountLinks } from '../../stores/account-links.js';
import { UpstreamTokenError } from './upstream-errors.js';
import type { UpstreamProviders } from './upstream-providers.js';
import type { UpstreamAccessToken, UpstreamTokens } from './upstream-tokens.js';

/** A user's upstream token with what a call needs besides it. */
export interface UpstreamCredentials extends UpstreamAccessToken {
  /** Present when the upstream wants `appsecret_proof` on API calls. */
  appsecretProof?: string;
}

/**
 * Server-side calls to upstream APIs for a user, present or not (`app.upstreams`). The upstream token
 * never leaves the server: `fetch` attaches it (and `appsecret_proof`), refreshing it first when due,
 * and sends it only below the upstream's configured `apiBaseUrl`.
 *
 * @example
 * const response = await app.upstreams.fetch(sub, 'github', 'https://api.github.com/user/repos');
 */
export class UpstreamApi {
  readonly #providers: UpstreamProviders;
  readonly #tokens: UpstreamTokens;
  readonly #links: AccountLinks;
  readonly #fetch: Fetch;

  constructor(providers: UpstreamProviders, tokens: UpstreamTokens, links: AccountLinks, fetchImpl: Fetch) {
    this.#providers = providers;
    this.#tokens = tokens;
    this.#links = links;
    this.#fetch = fetchImpl;
  }

  /** Calls `url` (below the upstream's `apiBaseUrl`) as the user; throws `UpstreamTokenError` when it cannot. */
  async fetch(sub: string, upstream: string, url: string | URL, init: RequestInit = {}): Promise<Response> {
    const config = this.#config(upstream);
    checkApiUrl(config, url);
    const credentials = await this.credentials(sub, upstream);
    const href = new URL(url).href;
    const target = credentials.appsecretProof ? withAppsecretProof(href, credentials.appsecretProof) : href;
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${credentials.accessToken}`);
    // Never follow a redirect: it could carry the token's effects (or the proof) outside the API base.
    return this.#fetch(target, { ...init, headers, redirect: 'manual' });
  }

  /** The user's live upstream access token (refreshed when due) and its `appsecret_proof`. */
  async credentials(sub: string, upstream: string): Promise<UpstreamCredentials> {
    const config = this.#config(upstream);
    const token = await this.#tokens.accessToken(sub, upstream);
    return config.appsecretProof
      ? { ...token, appsecretProof: computeAppSecretProof(token.accessToken, config.clientSecret) }
      : token;
  }

  /** The user's linked upstream accounts with their state. */
  async links(sub: string) {
    const links = await this.#links.ofUser(sub);
    return Promise.all(
      links.map(async (link) => ({
        upstream: link.upstream,
        upstreamSub: link.upstreamSub,
        label: link.label,
        status: await this.#tokens.status(sub, link.upstream),
      })),
    );
  }

  #config(upstream: string): UpstreamConfig {
    const config = this.#providers.config(upstream);
    if (!config) throw new UpstreamTokenError('not_linked', `no upstream is named ${upstream}`);
    return config;
  }
}

/** Refuses a URL outside the upstream's `apiBaseUrl` (or any URL when it has none). */
function checkApiUrl(config: UpstreamConfig, url: string | URL): void {
  if (!config.apiBaseUrl)
    throw new UpstreamTokenError('url_not_allowed', `${config.name} has no apiBaseUrl: its API cannot be called`);
  if (!isBelowApiBase(url, config.apiBaseUrl))
    throw new UpstreamTokenError('url_not_allowed', `the URL is outside ${config.name}'s API base`);
}
