import type { Principal } from './principal.js';

/**
 * Verified JWT access tokens, remembered for a short while so a busy API does not repeat the
 * signature check on every call with the same token. An entry never outlives its token's `exp`
 * (plus the verification's own clock tolerance) nor `maxAgeSeconds`, so a key withdrawn from the
 * JWKS stops being trusted within that time. Bounded in size; the oldest entry goes first.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, { principal: Principal; validUntil: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly maxAgeMs: number,
  ) {}

  get(token: string, now: number): Principal | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (entry.validUntil <= now) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry.principal;
  }

  set(token: string, principal: Principal, expiresAtMs: number, now: number): void {
    if (this.maxEntries === 0) return;
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(token, { principal, validUntil: Math.min(expiresAtMs, now + this.maxAgeMs) });
  }
}
