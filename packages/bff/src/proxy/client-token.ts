import type { Fetch, ProviderMetadata } from '@gatehouse/oidc-client';
import { type ClientCredentials, requestTokens } from '@gatehouse/oidc-client';

/**
 * Client-credentials tokens for `token: "client"` routes, cached per scope set in this process until
 * `marginSeconds` before they expire (a cache any instance may drop), with one request in flight per
 * scope set however many calls wait for it.
 */
export class ClientTokenCache {
  readonly #cached = new Map<string, { accessToken: string; expiresAt: number }>();
  readonly #pending = new Map<string, Promise<string>>();

  constructor(
    private readonly metadata: ProviderMetadata,
    private readonly client: ClientCredentials,
    private readonly options: { fetch: Fetch; now: () => number; marginSeconds: number },
  ) {}

  async accessToken(scopes: readonly string[]): Promise<string> {
    const key = [...scopes].sort().join(' ');
    const cached = this.#cached.get(key);
    if (cached && cached.expiresAt - this.options.marginSeconds * 1000 > this.options.now()) return cached.accessToken;
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = this.#fetch(key).finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    return pending;
  }

  async #fetch(scope: string): Promise<string> {
    const grant: Record<string, string> = { grant_type: 'client_credentials' };
    if (scope) grant.scope = scope;
    const response = await requestTokens(this.metadata, this.client, grant, { fetch: this.options.fetch });
    this.#cached.set(scope, {
      accessToken: response.access_token,
      expiresAt: this.options.now() + (response.expires_in ?? 300) * 1000,
    });
    return response.access_token;
  }
}
