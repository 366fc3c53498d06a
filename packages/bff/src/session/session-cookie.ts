import { randomBytes } from 'node:crypto';

/** The session cookie's name; `__Host-` makes the browser insist on Secure, Path=/ and no Domain. */
export const sessionCookieName = '__Host-gh-session';

/** 32 random bytes, base64url: exactly 43 characters. */
const sessionIdPattern = /^[A-Za-z0-9_-]{43}$/;
/** A Cookie header longer than this is not ours to parse (browsers cap a cookie at 4 KB). */
const maxCookieHeaderLength = 8192;

/** A new session id: 256 bits from the CSPRNG, never derived from anything the browser sent. */
export function createSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The session id from a `Cookie` header, or `undefined` when there is none, or when what is there
 * cannot be one of ours: a wrong length or alphabet, the cookie sent twice (an attacker-planted
 * duplicate), or a header too large to be honest.
 */
export function readSessionId(cookieHeader: string | undefined): string | undefined {
  if (typeof cookieHeader !== 'string' || cookieHeader.length > maxCookieHeaderLength) return undefined;
  let found: string | undefined;
  for (const pair of cookieHeader.split(';')) {
    const at = pair.indexOf('=');
    if (at === -1 || pair.slice(0, at).trim() !== sessionCookieName) continue;
    if (found !== undefined) return undefined;
    found = pair.slice(at + 1).trim();
  }
  return found !== undefined && sessionIdPattern.test(found) ? found : undefined;
}

/**
 * `Set-Cookie` value for a session. A session cookie (no Max-Age) unless the session should outlive
 * the browser; the server enforces the real idle and absolute limits either way.
 */
export function serializeSessionCookie(sessionId: string, maxAgeSeconds?: number): string {
  if (!sessionIdPattern.test(sessionId)) throw new TypeError('not a session id');
  const maxAge = maxAgeSeconds === undefined ? '' : `; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`;
  return `${sessionCookieName}=${sessionId}; Path=/; Secure; HttpOnly; SameSite=Strict${maxAge}`;
}

/** `Set-Cookie` value that deletes the session cookie: same name and attributes, expired. */
export function serializeClearedSessionCookie(): string {
  return `${sessionCookieName}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`;
}
