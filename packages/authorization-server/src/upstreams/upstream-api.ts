import type { Fetch } from '@gatehouse/oidc-client';
import type { UpstreamConfig } from '../config/upstream-config.js';
import type { AccountLinks } from './account-links.js';
import { appsecretProof } from './appsecret-proof.js';
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
    const target = checkApiUrl(config, url);
    const credentials = await this.credentials(sub, upstream);
    if (credentials.appsecretProof) target.searchParams.set('appsecret_proof', credentials.appsecretProof);
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
      ? { ...token, appsecretProof: appsecretProof(token.accessToken, config.clientSecret) }
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

/**
 * The URL if it lies below the upstream's `apiBaseUrl` (same origin, path under the base's path at a
 * segment boundary); refuses everything else, so a user token is never sent to another host.
 */
export function checkApiUrl(config: UpstreamConfig, url: string | URL): URL {
  if (!config.apiBaseUrl)
    throw new UpstreamTokenError('url_not_allowed', `${config.name} has no apiBaseUrl: its API cannot be called`);
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new UpstreamTokenError('url_not_allowed', 'the URL is not absolute');
  }
  const base = new URL(config.apiBaseUrl);
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  const inside =
    target.origin === base.origin &&
    !target.username &&
    !target.password &&
    (target.pathname === base.pathname || target.pathname.startsWith(basePath));
  if (!inside) throw new UpstreamTokenError('url_not_allowed', `the URL is outside ${config.name}'s API base`);
  return target;
}
