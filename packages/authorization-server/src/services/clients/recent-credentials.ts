import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a verified secret is trusted again without the limiter, and how many are kept. */
const freshMs = 60_000;
const maxEntries = 10_000;

interface Entry {
  digest: Buffer;
  secretHash: string;
  at: number;
}

/**
 * Client secrets that verified recently, per client **and source address**, in this process only.
 * A request presenting the same secret, from the same source, while the client's stored hash is the
 * same as when it verified, guesses nothing: it skips the client-auth limiter (SECURITY.md §4).
 * Everybody else — another source, another secret, a rotated secret (the stored hash changed), a
 * deleted client (not found before this is asked) — goes through the limiter as before.
 *
 * Secrets are held only as HMACs under a key made at start, so a heap dump yields no secret. Any
 * refusal from a source drops its entry, so a source that failed or was refused is limited again
 * from its next request on, the real secret included.
 *
 * Concurrent requests with the same credential share one check (`share`): a burst of valid requests
 * from one address takes one slot of the limit, not one each.
 */
export class RecentCredentials {
  readonly #key = randomBytes(32);
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new Map<string, { digest: Buffer; secretHash: string; verified: Promise<boolean> }>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** The digest of a presented secret (what is kept and compared, never the secret). */
  digest(secret: string): Buffer {
    return createHmac('sha256', this.#key).update(secret).digest();
  }

  /** Whether `digest` verified from `source` within the last minute against `secretHash`. */
  isFresh(clientId: string, source: string, digest: Buffer, secretHash: string): boolean {
    const key = entryKey(clientId, source);
    const entry = this.#entries.get(key);
    if (!entry) return false;
    if (this.#now() - entry.at >= freshMs) {
      this.#entries.delete(key);
      return false;
    }
    return entry.secretHash === secretHash && timingSafeEqual(entry.digest, digest);
  }

  /**
   * Runs `check` (limiter, then verification) once for concurrent requests presenting the same
   * credential from the same source; a success is remembered. A request joining a check that did
   * not succeed runs its own (`undefined`), so a refusal is counted per request as without this.
   */
  async share(
    clientId: string,
    source: string,
    digest: Buffer,
    secretHash: string,
    check: () => Promise<boolean>,
  ): Promise<boolean | undefined> {
    const key = entryKey(clientId, source);
    const pending = this.#inFlight.get(key);
    if (pending && pending.secretHash === secretHash && timingSafeEqual(pending.digest, digest)) {
      const verified = await pending.verified.catch(() => false);
      return verified ? true : undefined;
    }
    const verified = check();
    // A different credential from the same source while one is checked runs unshared.
    if (!pending) this.#inFlight.set(key, { digest, secretHash, verified });
    try {
      const ok = await verified;
      if (ok) this.#remember(key, digest, secretHash);
      else this.forget(clientId, source);
      return ok;
    } catch (error) {
      this.forget(clientId, source);
      throw error;
    } finally {
      if (this.#inFlight.get(key)?.verified === verified) this.#inFlight.delete(key);
    }
  }

  /** Drops what `source` verified for `clientId` (after any refusal from it). */
  forget(clientId: string, source: string): void {
    this.#entries.delete(entryKey(clientId, source));
  }

  #remember(key: string, digest: Buffer, secretHash: string): void {
    // Bounded: when full, the oldest insertion goes (a Map iterates in insertion order).
    this.#entries.delete(key);
    if (this.#entries.size >= maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, { digest, secretHash, at: this.#now() });
  }
}

function entryKey(clientId: string, source: string): string {
  return `${clientId}\n${source}`;
}
