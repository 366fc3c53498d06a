import { readCookie, serializeCookie } from './cookies.js';
import { randomToken, safeEqual, sha256 } from './random.js';

const valuePattern = /^[A-Za-z0-9_-]{43}$/;

/**
 * Binds a record in the store to the browser that created it: a random `__Host-` cookie (SameSite=Lax,
 * so it rides along on top-level navigations back from a client or an upstream), of which only the
 * hash is stored with the record. A link to the record opened in any other browser finds nothing.
 */
export class BrowserBinding {
  readonly #cookieName: string;
  readonly #ttlSeconds: number;

  constructor(cookieName: `__Host-${string}`, ttlSeconds: number) {
    this.#cookieName = cookieName;
    this.#ttlSeconds = ttlSeconds;
  }

  /**
   * This browser's binding, as the hash to store, with a `Set-Cookie` that creates it or renews it (a
   * renewed one outlives the record just bound, so an earlier record's binding cannot lapse first).
   */
  bind(cookieHeader: string | undefined): { hash: string; setCookie: string } {
    const existing = readCookie(cookieHeader, this.#cookieName);
    const value = existing && valuePattern.test(existing) ? existing : randomToken(32);
    return {
      hash: sha256(value),
      setCookie: serializeCookie(this.#cookieName, value, { sameSite: 'Lax', maxAgeSeconds: this.#ttlSeconds }),
    };
  }

  /** Whether this browser holds the binding whose hash is `hash` (constant time). */
  holds(cookieHeader: string | undefined, hash: string): boolean {
    const value = readCookie(cookieHeader, this.#cookieName);
    return value !== undefined && valuePattern.test(value) && safeEqual(sha256(value), hash);
  }
}
