import { createHash, createHmac } from 'node:crypto';
import { safeEqual } from './random.js';
import { deriveServerKeys } from './sealing.js';

/** How a keyed hash starts in the store; a value without it is a bare SHA-256 from an older version. */
const keyedPrefix = 'hmac-sha256.';

/** How a secret matched its stored hash: under the current key, or in a form to be rewritten. */
export type SecretMatch = 'current' | 'outdated' | 'no-match';

/**
 * Client secrets at rest. A secret is kept as HMAC-SHA-256, under a server key derived (HKDF,
 * purpose `client-secrets`) from the configured `cookieSecrets`, of the secret's SHA-256 — so a dump
 * of the store alone cannot test a single guess of a weak, administrator-chosen secret; only the
 * configuration's secrets can. The inner SHA-256 is what older versions stored, so their records are
 * converted without knowing the secret ({@link upgradeLegacy}).
 *
 * Keys rotate with `cookieSecrets` (prepend a new one): a hash is made under the first key and
 * matches under any; a match under an older key is `outdated`, and the caller rewrites it.
 */
export class ClientSecretHasher {
  readonly #keys: readonly Buffer[];

  constructor(serverSecrets: readonly string[]) {
    this.#keys = deriveServerKeys(serverSecrets, 'client-secrets');
    if (this.#keys.length === 0) throw new TypeError('ClientSecretHasher: at least one server secret is required');
  }

  /** The value to store for `secret`. */
  hash(secret: string): string {
    return this.#keyed(this.#keys[0] as Buffer, sha256(secret));
  }

  /** Whether `secret` is the one `stored` was made from; every comparison is constant-time. */
  verify(secret: string, stored: string): SecretMatch {
    const inner = sha256(secret);
    if (!stored.startsWith(keyedPrefix))
      return safeEqual(inner.toString('base64url'), stored) ? 'outdated' : 'no-match';
    let match: SecretMatch = 'no-match';
    // Every key is tried, matched or not, so the time taken does not tell which one matched.
    for (const [i, key] of this.#keys.entries()) {
      if (safeEqual(this.#keyed(key, inner), stored) && match === 'no-match') match = i === 0 ? 'current' : 'outdated';
    }
    return match;
  }

  /** A bare SHA-256 stored by an older version, keyed; `undefined` for a value that is keyed already. */
  upgradeLegacy(stored: string): string | undefined {
    if (stored.startsWith(keyedPrefix)) return undefined;
    return this.#keyed(this.#keys[0] as Buffer, Buffer.from(stored, 'base64url'));
  }

  #keyed(key: Buffer, inner: Buffer): string {
    return `${keyedPrefix}${createHmac('sha256', key).update(inner).digest('base64url')}`;
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
