import {
  type ClientCredentials,
  createIdTokenVerifier,
  createProviderKeys,
  discoverProvider,
  type Fetch,
  type IdTokenVerifier,
  type ProviderMetadata,
} from '@gatehouse/oidc-client';
import type { UpstreamConfig } from '../../config/upstream-config.js';
import { originOf } from '../../primitives/origin-of.js';

/** An upstream ready to use: its endpoints (discovered or configured) and how to check its answers. */
export interface ResolvedUpstream {
  config: UpstreamConfig;
  metadata: ProviderMetadata;
  credentials: ClientCredentials;
  scopes: string[];
  /** OpenID providers only. */
  verifyIdToken: IdTokenVerifier | undefined;
}

/** Discovery documents are kept this long; a failed discovery is retried on the next use. */
const metadataTtlMs = 3600_000;

/** The configured upstream providers, each resolved on first use (OpenID discovery) and cached. */
export class UpstreamProviders {
  readonly #configs: ReadonlyMap<string, UpstreamConfig>;
  readonly #fetch: Fetch;
  readonly #now: () => number;
  readonly #resolved = new Map<string, { at: number; upstream: Promise<ResolvedUpstream> }>();
  readonly #authorizationEndpoints = new Map<string, string>();

  constructor(configs: readonly UpstreamConfig[], fetchImpl: Fetch, now: () => number) {
    this.#configs = new Map(configs.map((config) => [config.name, config]));
    this.#fetch = fetchImpl;
    this.#now = now;
  }

  get all(): UpstreamConfig[] {
    return [...this.#configs.values()];
  }

  config(name: string): UpstreamConfig | undefined {
    return this.#configs.get(name);
  }

  /** Endpoints and checks for `name`; throws `DiscoveryError` / `ProviderUnavailableError` when discovery fails. */
  resolve(name: string): Promise<ResolvedUpstream> {
    const config = this.#configs.get(name);
    if (!config) return Promise.reject(new TypeError(`no upstream is named ${name}`));
    const cached = this.#resolved.get(name);
    if (cached && this.#now() - cached.at < metadataTtlMs) return cached.upstream;
    const upstream = this.#build(config);
    this.#resolved.set(name, { at: this.#now(), upstream });
    upstream.then(
      (resolved) => this.#authorizationEndpoints.set(name, resolved.metadata.authorization_endpoint),
      () => this.#resolved.delete(name),
    );
    return upstream;
  }

  /**
   * Origins the sign-in forms may be redirected to (CSP `form-action`): each upstream's
   * authorization endpoint as configured or discovered so far, else its issuer's origin. Never waits
   * for discovery, so a slow upstream cannot slow the login page.
   */
  formTargets(): string[] {
    const origins = this.all.map((config) => {
      const url = this.#authorizationEndpoints.get(config.name) ?? config.authorizationEndpoint ?? config.issuer;
      return url === undefined ? undefined : originOf(url);
    });
    return [...new Set(origins.filter((origin) => origin !== undefined))];
  }

  async #build(config: UpstreamConfig): Promise<ResolvedUpstream> {
    const credentials: ClientCredentials = {
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      authMethod: config.tokenEndpointAuthMethod,
    };
    if (config.type === 'oidc') {
      const metadata = await discoverProvider(config.issuer as string, { fetch: this.#fetch });
      return {
        config,
        metadata,
        credentials,
        scopes: config.scopes ?? ['openid', 'profile', 'email'],
        verifyIdToken: createIdTokenVerifier(metadata, createProviderKeys(metadata, this.#fetch), {
          signingAlgorithm: config.idTokenSigningAlg,
        }),
      };
    }
    const authorization = config.authorizationEndpoint as string;
    return {
      config,
      // A plain OAuth 2.0 provider has no issuer identifier; an `iss` in its response is then refused.
      metadata: {
        issuer: new URL(authorization).origin,
        authorization_endpoint: authorization,
        token_endpoint: config.tokenEndpoint as string,
        jwks_uri: '',
      },
      credentials,
      scopes: config.scopes ?? [],
      verifyIdToken: undefined,
    };
  }
}
