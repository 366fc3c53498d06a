import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A binding value: 256 random bits, base64url. */
const valuePattern = /^[A-Za-z0-9_-]{43}$/;
/** A longer `Cookie` header is read as carrying no binding, rather than parsed. */
const maxCookieHeaderLength = 8192;

/**
 * Binds records in the store to the browser that created them: a random `__Host-` cookie
 * (`SameSite=Lax`, so it rides along on top-level navigations back from a provider), of which only
 * the hash is stored with each record. A link to the record opened in any other browser finds
 * nothing, and a store dump holds no cookie value. One value serves every record of the browser, so
 * the cookie header stays small however many are open.
 */
export class BrowserBinding {
  readonly #cookieName: `__Host-${string}`;
  readonly #ttlSeconds: number;

  constructor(cookieName: `__Host-${string}`, ttlSeconds: number) {
    this.#cookieName = cookieName;
    this.#ttlSeconds = ttlSeconds;
  }

  /**
   * This browser's binding, as the hash to store, with a `Set-Cookie` that creates it or renews it
   * (a renewed one outlives the record just bound, so an earlier record's binding cannot lapse first).
   */
  bind(cookieHeader: string | undefined): { hash: string; setCookie: string } {
    const value = this.#read(cookieHeader) ?? randomBytes(32).toString('base64url');
    return {
      hash: hashOf(value),
      setCookie: `${this.#cookieName}=${value}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${this.#ttlSeconds}`,
    };
  }

  /** The hash of the binding this browser sent, or `undefined` when it sent none (or a malformed one). */
  hashOf(cookieHeader: string | undefined): string | undefined {
    const value = this.#read(cookieHeader);
    return value === undefined ? undefined : hashOf(value);
  }

  /** Whether this browser holds the binding whose hash is `hash` (constant time). */
  holds(cookieHeader: string | undefined, hash: unknown): boolean {
    const mine = this.hashOf(cookieHeader);
    if (mine === undefined || typeof hash !== 'string') return false;
    const [a, b] = [Buffer.from(mine), Buffer.from(hash)];
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** A `Set-Cookie` that removes the binding (with the attributes that set it). */
  clearCookie(): string {
    return `${this.#cookieName}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`;
  }

  /** The binding's value, when the header carries it exactly once and well-formed. */
  #read(cookieHeader: string | undefined): string | undefined {
    if (typeof cookieHeader !== 'string' || cookieHeader.length > maxCookieHeaderLength) return undefined;
    let found: string | undefined;
    for (const part of cookieHeader.split(';')) {
      const equals = part.indexOf('=');
      if (equals === -1 || part.slice(0, equals).trim() !== this.#cookieName) continue;
      if (found !== undefined) return undefined; // two cookies of one name: trust neither
      found = part.slice(equals + 1).trim();
    }
    return found !== undefined && valuePattern.test(found) ? found : undefined;
  }
}

function hashOf(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
