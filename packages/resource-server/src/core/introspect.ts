import { createHash } from 'node:crypto';
import { invalidToken, ProviderUnavailableError } from './bearer-error.js';
import type { Fetch } from './jwks-cache.js';
import type { Principal } from './principal.js';

export interface IntrospectionOptions {
  /** The issuer's RFC 7662 endpoint (`introspection_endpoint`). */
  endpoint: string;
  /** The API's own client credentials at the issuer (`client_secret_basic`). */
  clientId: string;
  clientSecret: string;
  /**
   * The longest a result is reused, in seconds (never past the token's `exp`). A token revoked at the
   * issuer is refused here within this time. Default 60; 0 asks every time.
   */
  cacheCeilingSeconds?: number;
  /** Deadline of each call, in milliseconds. Default 5 000. */
  timeoutMs?: number;
}

type Cached = { principal: Principal | undefined; validUntil: number };

/**
 * Opaque access tokens, validated by asking the issuer (RFC 7662). Active results are cached until
 * the token's `exp` or the ceiling, inactive ones for the ceiling; keys are hashes, so the cache
 * holds no token. An unreachable endpoint is a 503, never a 401.
 */
export class Introspector {
  readonly #cache = new Map<string, Cached>();
  readonly #ceilingMs: number;

  constructor(
    private readonly options: IntrospectionOptions,
    private readonly expected: { issuer: string; audience: string | readonly string[] },
    private readonly fetchImpl: Fetch,
  ) {
    this.#ceilingMs = (options.cacheCeilingSeconds ?? 60) * 1000;
  }

  async principalFor(token: string, now: number): Promise<Principal> {
    const key = createHash('sha256').update(token).digest('base64url');
    let cached = this.#cache.get(key);
    if (!cached || cached.validUntil <= now) {
      cached = await this.#ask(token, now);
      this.#cache.delete(key);
      if (this.#ceilingMs > 0) {
        if (this.#cache.size >= 10_000) this.#cache.delete(this.#cache.keys().next().value as string);
        this.#cache.set(key, cached);
      }
    }
    if (!cached.principal) throw invalidToken('the access token is not active');
    return cached.principal;
  }

  async #ask(token: string, now: number): Promise<Cached> {
    const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
    const credentials = Buffer.from(`${encode(this.options.clientId)}:${encode(this.options.clientSecret)}`).toString(
      'base64',
    );
    let body: Record<string, unknown>;
    try {
      const response = await this.fetchImpl(this.options.endpoint, {
        method: 'POST',
        headers: {
          authorization: `Basic ${credentials}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      });
      if (!response.ok) throw new Error(`introspection answered ${response.status}`);
      body = (await response.json()) as Record<string, unknown>;
    } catch (error) {
      throw new ProviderUnavailableError('the introspection endpoint cannot be used', { cause: error });
    }
    const inactive = { principal: undefined, validUntil: now + this.#ceilingMs };
    if (body.active !== true) return inactive;
    if (body.iss !== undefined && body.iss !== this.expected.issuer) return inactive;
    const audiences = Array.isArray(body.aud) ? body.aud : body.aud === undefined ? [] : [body.aud];
    const wanted = typeof this.expected.audience === 'string' ? [this.expected.audience] : this.expected.audience;
    if (audiences.length > 0 && !audiences.some((aud) => wanted.includes(aud as string))) return inactive;
    const exp = typeof body.exp === 'number' ? body.exp * 1000 : now + this.#ceilingMs;
    if (exp <= now) return inactive;
    const clientId = typeof body.client_id === 'string' ? body.client_id : undefined;
    const subject = typeof body.sub === 'string' && body.sub !== '' ? body.sub : clientId;
    if (!subject) return inactive;
    return {
      principal: {
        kind: body.sub === undefined || body.sub === clientId ? 'client' : 'user',
        issuer: this.expected.issuer,
        subject,
        clientId,
        scopes: new Set(typeof body.scope === 'string' ? body.scope.split(' ').filter(Boolean) : []),
        claims: body,
      },
      validUntil: Math.min(exp, now + this.#ceilingMs),
    };
  }
}
