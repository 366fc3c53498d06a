import { navigationRequest } from './navigation-request.js';

type SameSite = 'strict' | 'lax' | 'none';

/**
 * A browser's cookie jar for one origin, keeping the `SameSite` rules a sign-in flow depends on
 * (RFC 6265bis §5.2 and §5.6.7, as Chromium applies them). Each request says which origin started
 * it — the page the user is on, or the site whose redirect led here: a cross-site request carries
 * no `SameSite=Strict` cookie, and `Lax` ones (the default) only on a top-level GET navigation.
 * Sites compare scheme and host, never the port, so `http://localhost:3000` and
 * `http://127.0.0.1:4000` are two sites (SECURITY.md §9.6) while two ports of one host are one.
 * Redirects are never followed: the test does it, naming who started each hop.
 */
export class SiteAwareBrowser {
  readonly #cookies = new Map<string, { value: string; sameSite: SameSite }>();

  constructor(readonly origin: string) {}

  /** The cookie's value, as the browser holds it. */
  cookie(name: string): string | undefined {
    return this.#cookies.get(name)?.value;
  }

  /** Puts a cookie in the jar, as a server's `Set-Cookie` would (a copy kept by somebody, say). */
  setCookie(name: string, value: string, sameSite: SameSite = 'lax'): void {
    this.#cookies.set(name, { value, sameSite });
  }

  /**
   * A top-level GET navigation to this origin started by `from` (an origin): a link clicked on
   * the page (the default: this origin) or a redirect from another site.
   */
  navigate(pathOrUrl: string, from: string = this.origin): Promise<Response> {
    return this.#send(pathOrUrl, { method: 'GET' }, { from, topLevel: true });
  }

  /** A script's request from this origin's own page (`fetch`), with `x-csrf: 1` when asked. */
  fetch(pathOrUrl: string, init: RequestInit & { csrf?: boolean } = {}): Promise<Response> {
    const { csrf, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (csrf) headers.set('x-csrf', '1');
    return this.#send(pathOrUrl, { ...rest, headers }, { from: this.origin, topLevel: false });
  }

  async #send(pathOrUrl: string, init: RequestInit, started: { from: string; topLevel: boolean }): Promise<Response> {
    const url = new URL(pathOrUrl, this.origin);
    if (url.origin !== this.origin) throw new TypeError(`this jar holds ${this.origin}'s cookies, not ${url.origin}'s`);
    const method = (init.method ?? 'GET').toUpperCase();
    const sameSite = siteOf(started.from) === siteOf(this.origin);
    const sent = [...this.#cookies].filter(
      ([, cookie]) =>
        sameSite || cookie.sameSite === 'none' || (cookie.sameSite === 'lax' && started.topLevel && method === 'GET'),
    );
    const headers = new Headers(init.headers);
    if (sent.length > 0) headers.set('cookie', sent.map(([name, cookie]) => `${name}=${cookie.value}`).join('; '));
    // A navigation says so in its Sec-Fetch-* headers, as a browser's does.
    const response = started.topLevel
      ? await navigationRequest(url, headers)
      : await fetch(url, { ...init, headers, redirect: 'manual' });
    this.#remember(response);
    return response;
  }

  #remember(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      if (attributes.some((attribute) => /^max-age=0$/i.test(attribute))) {
        this.#cookies.delete(name);
        continue;
      }
      const declared = attributes.find((attribute) => /^samesite=/i.test(attribute))?.slice('samesite='.length);
      const sameSite = (declared?.toLowerCase() ?? 'lax') as SameSite;
      this.#cookies.set(name, { value: pair.slice(at + 1), sameSite });
    }
  }
}

/**
 * The "site" of an origin: scheme and registrable domain. Loopback names and IP addresses are their
 * own site; for other names the last two labels stand in for the registrable domain (enough for tests).
 */
function siteOf(origin: string): string {
  const { protocol, hostname } = new URL(origin);
  const isAddress = /^[\d.]+$/.test(hostname) || hostname.startsWith('[');
  const host = isAddress || !hostname.includes('.') ? hostname : hostname.split('.').slice(-2).join('.');
  return `${protocol}//${host}`;
}
