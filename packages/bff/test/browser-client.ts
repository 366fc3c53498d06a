import { navigationRequest } from '@gatehouse/test-kit';

/**
 * A tiny cookie-keeping HTTP client that behaves like a browser for the BFF tests: it stores
 * `Set-Cookie` values (expiring ones with Max-Age=0), sends them back, and never follows redirects.
 * A GET to the BFF's origin without the CSRF header is a navigation (a link, the address bar,
 * `location.assign`) and says so, as a browser does: `Sec-Fetch-Mode: navigate`, `Sec-Fetch-Dest:
 * document` ({@link navigationRequest}).
 */
export class BrowserClient {
  readonly cookies = new Map<string, string>();

  constructor(readonly origin: string) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async request(pathOrUrl: string, init: RequestInit & { csrf?: boolean } = {}): Promise<Response> {
    const url = new URL(pathOrUrl, this.origin);
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0 && url.origin === this.origin) headers.set('cookie', this.cookieHeader);
    if (init.csrf) headers.set('x-csrf', '1');
    const navigation = url.origin === this.origin && (init.method ?? 'GET') === 'GET' && !init.csrf && !init.body;
    const response = navigation
      ? await navigationRequest(url, headers)
      : await fetch(url, { ...init, headers, redirect: 'manual' });
    if (url.origin === this.origin) this.remember(response);
    return response;
  }

  remember(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const at = (pair as string).indexOf('=');
      const name = (pair as string).slice(0, at);
      const expired = attributes.some((a) => /^max-age=0$/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, (pair as string).slice(at + 1));
    }
  }
}
