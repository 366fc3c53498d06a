import { importJWK, type JWK } from 'jose';
import { invalidToken, ProviderUnavailableError } from './bearer-error.js';

export type Fetch = typeof fetch;

export interface JwksCacheOptions {
  /** The issuer whose keys are wanted; discovery runs at `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  /** The JWKS URL, when known; skips discovery. */
  jwksUri?: string;
  /** Keys are refetched after this many seconds even when nothing is unknown. Default 600. */
  maxAgeSeconds?: number;
  /** At most one refetch per this many seconds for unknown `kid`s. Default 30. */
  cooldownSeconds?: number;
  /** Deadline of each fetch, in milliseconds. Default 5 000. */
  timeoutMs?: number;
  fetch?: Fetch;
  /** Milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

type VerificationKey = Awaited<ReturnType<typeof importJWK>>;

/**
 * The issuer's signing keys, cached. An unknown `kid` triggers one refetch, and then no other for
 * `cooldownSeconds`, so a flood of made-up `kid`s costs the provider at most one request. Keys come
 * only from the issuer's JWKS URL — a token's `jku`, `x5u` or `jwk` header is never followed. When
 * the JWKS cannot be fetched and nothing is cached, {@link ProviderUnavailableError} (503); when keys
 * are cached, they keep working through the outage (past `maxAgeSeconds` too), with one retry per
 * cool-down rather than one per call.
 */
export class JwksCache {
  readonly #options: Required<Omit<JwksCacheOptions, 'jwksUri' | 'fetch'>> & { jwksUri?: string; fetch: Fetch };
  #keys: JWK[] | undefined;
  /** When the keys were last fetched successfully. */
  #fetchedAt = Number.NEGATIVE_INFINITY;
  /** When a fetch was last started, successful or not. */
  #attemptedAt = Number.NEGATIVE_INFINITY;
  #inFlight: Promise<void> | undefined;
  readonly #imported = new Map<string, Promise<VerificationKey>>();

  constructor(options: JwksCacheOptions) {
    if (!/^https?:\/\//.test(options.issuer)) throw new TypeError('issuer must be an http(s) URL');
    this.#options = {
      issuer: options.issuer,
      jwksUri: options.jwksUri,
      maxAgeSeconds: options.maxAgeSeconds ?? 600,
      cooldownSeconds: options.cooldownSeconds ?? 30,
      timeoutMs: options.timeoutMs ?? 5_000,
      fetch: options.fetch ?? fetch,
      now: options.now ?? Date.now,
    };
  }

  /** The key that verifies a token with this protected header, or an `invalid_token` error. */
  async keyFor(header: { kid?: string; alg?: string }): Promise<VerificationKey> {
    const now = this.#options.now();
    const isStale = now - this.#fetchedAt > this.#options.maxAgeSeconds * 1000;
    if (!this.#keys || (isStale && this.#mayFetch(now))) await this.#refresh();
    let jwk = this.#find(header);
    if (!jwk && this.#mayFetch(now)) {
      await this.#refresh(); // a rotated key, perhaps: look once more
      jwk = this.#find(header);
    }
    if (!jwk) throw invalidToken('the access token was signed with an unknown key');
    const cacheKey = `${jwk.kid ?? ''}|${header.alg}|${jwk.x ?? jwk.n ?? ''}`;
    let imported = this.#imported.get(cacheKey);
    if (!imported) {
      imported = importJWK(jwk, header.alg);
      this.#imported.set(cacheKey, imported);
    }
    try {
      return await imported;
    } catch {
      this.#imported.delete(cacheKey);
      throw invalidToken('the access token’s key does not match its algorithm');
    }
  }

  /**
   * Makes sure keys are cached, for a readiness check: with none, fetches them (joining a fetch in
   * flight, and at most once per cool-down while the provider fails, so probes cannot flood it).
   * Raises {@link ProviderUnavailableError} while none could be fetched.
   */
  async ensureLoaded(): Promise<void> {
    if (this.#keys) return;
    if (this.#mayFetch(this.#options.now())) await this.#refresh();
    if (!this.#keys) throw new ProviderUnavailableError('the JWKS has not been fetched yet');
  }

  /**
   * Whether to fetch: join one in flight, or start one at most once per cool-down, counted from the
   * last attempt whether it worked or not, so neither made-up `kid`s nor a provider that stays down
   * cause a fetch per call.
   */
  #mayFetch(now: number): boolean {
    return this.#inFlight !== undefined || now - this.#attemptedAt > this.#options.cooldownSeconds * 1000;
  }

  #find(header: { kid?: string; alg?: string }): JWK | undefined {
    const usable = (this.#keys ?? []).filter(
      (key) =>
        key.kty !== 'oct' && (key.use === undefined || key.use === 'sig') && (!key.alg || key.alg === header.alg),
    );
    if (header.kid !== undefined) return usable.find((key) => key.kid === header.kid);
    return usable.length === 1 ? usable[0] : undefined;
  }

  /** Fetches the keys, or joins the fetch already in flight. */
  async #refresh(): Promise<void> {
    if (!this.#inFlight) {
      this.#attemptedAt = this.#options.now();
      this.#inFlight = this.#load()
        .catch((error: unknown) => {
          // Warm cache: keep serving the keys we have. Cold cache: nothing can be verified (503).
          if (!this.#keys) throw error;
        })
        .finally(() => {
          this.#inFlight = undefined;
        });
    }
    await this.#inFlight;
  }

  async #load(): Promise<void> {
    const jwksUri = this.#options.jwksUri ?? (await this.#discoverJwksUri());
    const body = await this.#getJson(jwksUri);
    const keys = (body as { keys?: unknown }).keys;
    if (!Array.isArray(keys)) throw new ProviderUnavailableError('the JWKS has no keys array');
    this.#keys = keys.filter(
      (key): key is JWK => key !== null && typeof key === 'object' && typeof key.kty === 'string',
    );
    this.#fetchedAt = this.#options.now();
    this.#imported.clear();
  }

  async #discoverJwksUri(): Promise<string> {
    const issuer = this.#options.issuer.replace(/\/$/, '');
    const metadata = (await this.#getJson(`${issuer}/.well-known/openid-configuration`)) as Record<string, unknown>;
    if (metadata.issuer !== this.#options.issuer || typeof metadata.jwks_uri !== 'string') {
      throw new ProviderUnavailableError('discovery does not describe this issuer');
    }
    this.#options.jwksUri = metadata.jwks_uri;
    return metadata.jwks_uri;
  }

  async #getJson(url: string): Promise<unknown> {
    let response: Response;
    try {
      response = await this.#options.fetch(url, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
    } catch (error) {
      throw new ProviderUnavailableError(`cannot reach ${new URL(url).origin}`, { cause: error });
    }
    if (!response.ok) throw new ProviderUnavailableError(`${new URL(url).origin} answered ${response.status}`);
    try {
      return await response.json();
    } catch (error) {
      throw new ProviderUnavailableError('the provider answered with invalid JSON', { cause: error });
    }
  }
}
