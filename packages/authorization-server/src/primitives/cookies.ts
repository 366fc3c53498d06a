import { createHmac } from 'node:crypto';
import { safeEqual } from './random.js';

/** The value of one cookie from a `Cookie` header, or undefined (also when it is repeated). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header || header.length > 8192) return undefined;
  let found: string | undefined;
  for (const part of header.split(';')) {
    const equals = part.indexOf('=');
    if (equals === -1 || part.slice(0, equals).trim() !== name) continue;
    if (found !== undefined) return undefined; // two cookies of one name: trust neither
    found = part.slice(equals + 1).trim();
  }
  return found;
}

export interface CookieOptions {
  maxAgeSeconds?: number;
  sameSite: 'Strict' | 'Lax';
}

/** A `Set-Cookie` value with `HttpOnly; Secure; Path=/` and no `Domain` (what `__Host-` requires). */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  if (!/^[A-Za-z0-9._~-]*$/.test(value)) throw new TypeError('cookie values must be base64url or dotted tokens');
  const maxAge = options.maxAgeSeconds === undefined ? '' : `; Max-Age=${Math.floor(options.maxAgeSeconds)}`;
  return `${name}=${value}; Path=/; HttpOnly; Secure; SameSite=${options.sameSite}${maxAge}`;
}

export function clearCookie(name: string, sameSite: 'Strict' | 'Lax'): string {
  return `${name}=; Path=/; HttpOnly; Secure; SameSite=${sameSite}; Max-Age=0`;
}

/**
 * Signs and verifies cookie values with HMAC-SHA256 under the configured secrets (the first signs,
 * any verifies), so a value the server did not issue is never read.
 */
export class CookieSigner {
  readonly #secrets: readonly string[];
  constructor(secrets: readonly string[]) {
    this.#secrets = secrets;
  }

  sign(value: string, purpose: string): string {
    return `${value}.${this.#mac(this.#secrets[0] as string, value, purpose)}`;
  }

  /** The value inside a signed cookie, or undefined when the signature does not verify. */
  unsign(signed: string | undefined, purpose: string): string | undefined {
    if (!signed || signed.length > 512) return undefined;
    const dot = signed.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const value = signed.slice(0, dot);
    const mac = signed.slice(dot + 1);
    return this.#secrets.some((secret) => safeEqual(mac, this.#mac(secret, value, purpose))) ? value : undefined;
  }

  /** A MAC over `value` for `purpose`, under the first secret (CSRF form tokens). */
  mac(value: string, purpose: string): string {
    return this.#mac(this.#secrets[0] as string, value, purpose);
  }

  /** Whether `mac` is the MAC of `value` for `purpose` under any secret, in constant time. */
  verifyMac(value: string, purpose: string, mac: string): boolean {
    return this.#secrets.some((secret) => safeEqual(mac, this.#mac(secret, value, purpose)));
  }

  #mac(secret: string, value: string, purpose: string): string {
    return createHmac('sha256', secret).update(`${purpose}\n${value}`).digest('base64url');
  }
}
