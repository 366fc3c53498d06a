export type SameSite = 'strict' | 'lax' | 'none';

/** A cookie as the browser keeps it. */
export interface Cookie {
  name: string;
  value: string;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: SameSite;
  /** Milliseconds since the epoch (the real clock: a browser does not read the server's), or undefined for a session cookie. */
  expiresAt: number | undefined;
}

/** What a request is, for deciding which cookies it carries. */
export interface CookieContext {
  /** The request is same-site (RFC 6265bis §5.2): its initiator and every URL it was redirected through are on the target's site. */
  sameSite: boolean;
  /** A top-level navigation with a safe method (GET): it carries `SameSite=Lax` cookies across sites. */
  laxAllowed: boolean;
}

/**
 * A browser's cookies, with the rules of RFC 6265bis as Chromium applies them: `SameSite` (Lax by
 * default), `Secure` (set and sent only on a potentially trustworthy origin: https, localhost,
 * 127.0.0.0/8, ::1), the `__Host-` and `__Secure-` prefixes (§4.1.3), `Path`, `Max-Age` and
 * `Expires`. Cookies are kept per origin rather than per host (RFC 6265 lets two ports of one host
 * share them): the servers of a test all live on 127.0.0.1, and a real deployment gives each its host.
 * A `Domain` attribute is refused unless it names the host itself (no test needs a domain cookie).
 */
export class CookieJar {
  readonly #byOrigin = new Map<string, Map<string, Cookie>>();

  /** Applies one response's `Set-Cookie` lines, for a request to `url`. */
  store(url: URL, setCookieLines: readonly string[]): void {
    for (const line of setCookieLines) this.#storeOne(url, line);
  }

  /** The cookies a request to `url` carries, as a `Cookie` header value (empty when none). */
  header(url: URL, context: CookieContext): string {
    return this.cookiesFor(url, context)
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  /** The cookies a request to `url` carries, longest path first (RFC 6265 §5.4). */
  cookiesFor(url: URL, context: CookieContext): Cookie[] {
    const now = Date.now();
    const secure = isTrustworthy(url);
    return [...this.#jar(url.origin).values()]
      .filter((cookie) => cookie.expiresAt === undefined || cookie.expiresAt > now)
      .filter((cookie) => secure || !cookie.secure)
      .filter((cookie) => pathMatches(url.pathname, cookie.path))
      .filter(
        (cookie) => context.sameSite || cookie.sameSite === 'none' || (cookie.sameSite === 'lax' && context.laxAllowed),
      )
      .sort((a, b) => b.path.length - a.path.length);
  }

  /** The value of cookie `name` of `origin` (the narrowest path when several), whatever its attributes. */
  get(origin: string, name: string): string | undefined {
    const now = Date.now();
    const found = [...this.#jar(new URL(origin).origin).values()]
      .filter((cookie) => cookie.name === name && (cookie.expiresAt === undefined || cookie.expiresAt > now))
      .sort((a, b) => b.path.length - a.path.length);
    return found[0]?.value;
  }

  /** The names of `origin`'s live cookies. */
  names(origin: string): string[] {
    const now = Date.now();
    return [...this.#jar(new URL(origin).origin).values()]
      .filter((cookie) => cookie.expiresAt === undefined || cookie.expiresAt > now)
      .map((cookie) => cookie.name);
  }

  /** Puts a cookie in the jar as if `origin` had set it (a copy stolen or planted, say). */
  put(origin: string, cookie: Partial<Cookie> & { name: string; value: string }): void {
    this.#jar(new URL(origin).origin).set(keyOf(cookie.name, cookie.path ?? '/'), {
      path: '/',
      secure: true,
      httpOnly: true,
      sameSite: 'lax',
      expiresAt: undefined,
      ...cookie,
    });
  }

  /** Forgets cookie `name` of `origin`, on every path. */
  delete(origin: string, name: string): void {
    const jar = this.#jar(new URL(origin).origin);
    for (const [key, cookie] of jar) if (cookie.name === name) jar.delete(key);
  }

  /** Forgets `origin`'s cookies, or every cookie. */
  clear(origin?: string): void {
    if (origin === undefined) this.#byOrigin.clear();
    else this.#byOrigin.delete(new URL(origin).origin);
  }

  #jar(origin: string): Map<string, Cookie> {
    let jar = this.#byOrigin.get(origin);
    if (!jar) {
      jar = new Map();
      this.#byOrigin.set(origin, jar);
    }
    return jar;
  }

  #storeOne(url: URL, line: string): void {
    const [pair = '', ...parts] = line.split(';');
    const at = pair.indexOf('=');
    if (at <= 0) return; // no name: nothing a test needs
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    const attributes = new Map<string, string>();
    for (const part of parts) {
      const equals = part.indexOf('=');
      const key = (equals === -1 ? part : part.slice(0, equals)).trim().toLowerCase();
      attributes.set(key, equals === -1 ? '' : part.slice(equals + 1).trim());
    }
    const secure = attributes.has('secure');
    const declaredPath = attributes.get('path');
    const path = declaredPath?.startsWith('/') ? declaredPath : defaultPath(url.pathname);
    const domain = attributes.get('domain');
    // Refusals a browser makes (RFC 6265bis §5.7): each leaves the jar as it was.
    if (secure && !isTrustworthy(url)) return;
    if (domain !== undefined && domain.replace(/^\./, '').toLowerCase() !== url.hostname.toLowerCase()) return;
    if (name.startsWith('__Secure-') && !secure) return;
    if (name.startsWith('__Host-') && (!secure || path !== '/' || domain !== undefined)) return;
    const declaredSameSite = attributes.get('samesite')?.toLowerCase();
    const sameSite: SameSite = declaredSameSite === 'strict' || declaredSameSite === 'none' ? declaredSameSite : 'lax';
    if (sameSite === 'none' && !secure) return; // Chromium refuses SameSite=None without Secure
    const expiresAt = expiryOf(attributes);
    const jar = this.#jar(url.origin);
    if (expiresAt !== undefined && expiresAt <= Date.now()) {
      jar.delete(keyOf(name, path));
      return;
    }
    jar.set(keyOf(name, path), {
      name,
      value,
      path,
      secure,
      httpOnly: attributes.has('httponly'),
      sameSite,
      expiresAt,
    });
  }
}

/** Max-Age wins over Expires (RFC 6265 §5.3 step 3); neither makes a session cookie. */
function expiryOf(attributes: ReadonlyMap<string, string>): number | undefined {
  const maxAge = attributes.get('max-age');
  if (maxAge !== undefined && /^-?\d+$/.test(maxAge)) return Date.now() + Number(maxAge) * 1000;
  const expires = attributes.get('expires');
  if (expires !== undefined) {
    const at = Date.parse(expires);
    if (!Number.isNaN(at)) return at;
  }
  return undefined;
}

function keyOf(name: string, path: string): string {
  return `${name}\n${path}`;
}

/** RFC 6265 §5.1.4: the directory of the request path. */
function defaultPath(requestPath: string): string {
  const slash = requestPath.lastIndexOf('/');
  return slash <= 0 ? '/' : requestPath.slice(0, slash);
}

/** RFC 6265 §5.1.4 path-match. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** A potentially trustworthy origin (Secure Contexts §3.1), where `Secure` cookies are set and sent. */
export function isTrustworthy(url: URL): boolean {
  if (url.protocol === 'https:' || url.protocol === 'wss:') return true;
  const host = url.hostname;
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]';
}

/**
 * The site of an origin: scheme and registrable domain. Addresses and single-label names are their
 * own site; for other names the last two labels stand in for the registrable domain (enough for
 * tests). The port never counts, so `http://127.0.0.1:3000` and `http://127.0.0.1:4000` are one site
 * while `http://localhost:3000` and `http://127.0.0.1:4000` are two (SECURITY.md §9.6).
 */
export function siteOf(origin: string): string {
  const { protocol, hostname } = new URL(origin);
  const isAddress = /^[\d.]+$/.test(hostname) || hostname.startsWith('[');
  const host = isAddress || !hostname.includes('.') ? hostname : hostname.split('.').slice(-2).join('.');
  return `${protocol}//${host}`;
}
