import { type CookieSigner, readCookie, serializeCookie } from './cookies.js';
import { randomToken } from './random.js';

export const csrfCookieName = '__Host-gh-as-csrf';
const purpose = 'csrf-form';

/**
 * CSRF tokens for the provider's forms, bound to the browser: a random cookie, and in each form a MAC
 * of it. A cross-site form can send neither the right token nor read the cookie; login CSRF included.
 */
export class CsrfTokens {
  readonly #signer: CookieSigner;
  constructor(signer: CookieSigner) {
    this.#signer = signer;
  }

  /** The form token for this browser, and a `Set-Cookie` when the browser has no CSRF cookie yet. */
  forForm(cookieHeader: string | undefined): { token: string; setCookie?: string } {
    const existing = readCookie(cookieHeader, csrfCookieName);
    if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return { token: this.#signer.mac(existing, purpose) };
    const fresh = randomToken(32);
    return {
      token: this.#signer.mac(fresh, purpose),
      setCookie: serializeCookie(csrfCookieName, fresh, { sameSite: 'Lax' }),
    };
  }

  /** Whether a submitted form token matches this browser's cookie (constant time). */
  verify(cookieHeader: string | undefined, submitted: string | undefined): boolean {
    const cookie = readCookie(cookieHeader, csrfCookieName);
    if (!cookie || !submitted || submitted.length > 100) return false;
    return this.#signer.verifyMac(cookie, purpose, submitted);
  }
}
