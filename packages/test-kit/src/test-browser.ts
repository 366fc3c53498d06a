import { CookieJar, type SameSite, siteOf } from './cookie-jar.js';
import { demoUser } from './fixtures.js';
import { httpTransport, type Transport } from './transport.js';

/** Request headers in any form `Headers` takes. */
export type HeaderInit = ConstructorParameters<typeof Headers>[0];

/** Who started a request: the origin of the page it came from, or `'none'` (the address bar, a bookmark). */
export type Initiator = string | 'none';

export interface TestBrowserOptions {
  /**
   * The origin of the page the user is on: relative URLs resolve against it and script requests
   * ({@link TestBrowser.fetch}) come from it. Default: none (then every URL is absolute).
   */
  origin?: string;
  /** How requests reach servers. Default: real HTTP on loopback ({@link httpTransport}). */
  transport?: Transport;
}

export interface NavigateOptions {
  /** Who started the navigation. Default: the browser's page origin, else `'none'`. */
  from?: Initiator;
  /** Extra request headers; a header given here replaces the browser's own. */
  headers?: HeaderInit;
}

export interface FetchInit extends RequestInit {
  /** Adds `x-csrf: 1`, as the BFF's browser SDK does. */
  csrf?: boolean;
}

/** A step of {@link TestBrowser.follow}: where the browser ended up and the answer it got there. */
export interface Step {
  url: string;
  response: Response;
}

/** Where {@link TestBrowser.follow} stops: a URL prefix (the client's redirect URI, say) or a test of the URL. */
export type StopAt = string | ((url: URL) => boolean);

/** The user a sign-in form is filled in for. */
export interface SignInUser {
  email: string;
  password: string;
}

/**
 * The one cookie-keeping test client: a browser as far as servers can tell. It keeps cookies by
 * RFC 6265bis ({@link CookieJar}: `SameSite`, `Secure`, `__Host-`, `Path`, expiry) and sends what a
 * browser sends: top-level navigations with `Sec-Fetch-Mode: navigate` and `Sec-Fetch-Dest:
 * document`, form posts with the page's `Origin` (`null` under `Referrer-Policy: no-referrer`),
 * script requests with `Sec-Fetch-Mode: cors`, and `Sec-Fetch-Site` on each. Each request says who
 * started it, so a cross-site one carries no `SameSite=Strict` cookie and `Lax` ones only on a
 * top-level GET. Redirects are followed by hand: one request is one hop ({@link navigate}), or
 * {@link follow} goes on until a URL the test names.
 */
export class TestBrowser {
  readonly origin: string | undefined;
  readonly #transport: Transport;
  readonly #jar = new CookieJar();
  /** The referrer policy of each origin's last page, for the `Origin` of its forms. */
  readonly #pagePolicies = new Map<string, string>();

  constructor(options: TestBrowserOptions = {}) {
    this.origin = options.origin === undefined ? undefined : new URL(options.origin).origin;
    this.#transport = options.transport ?? httpTransport;
  }

  /** The value of cookie `name` as the browser holds it for `origin` (default: its page origin). */
  cookie(name: string, origin: string | undefined = this.origin): string | undefined {
    return this.#jar.get(this.#originOf(origin), name);
  }

  /** The names of the cookies the browser holds for `origin` (default: its page origin). */
  cookieNames(origin: string | undefined = this.origin): string[] {
    return this.#jar.names(this.#originOf(origin));
  }

  /** The `Cookie` header a same-site request to `url` (default: the page origin) carries; empty when none. */
  cookieHeader(url: string | undefined = this.origin): string {
    return this.#jar.header(new URL(this.#originOf(url)), { sameSite: true, laxAllowed: true });
  }

  /** Puts a cookie in the jar, as a server's `Set-Cookie` would (a copy kept by somebody, say). */
  setCookie(name: string, value: string, options: { origin?: string; sameSite?: SameSite } = {}): void {
    this.#jar.put(this.#originOf(options.origin ?? this.origin), { name, value, sameSite: options.sameSite ?? 'lax' });
  }

  /** Forgets cookie `name` of `origin` (default: the page origin). */
  deleteCookie(name: string, origin: string | undefined = this.origin): void {
    this.#jar.delete(this.#originOf(origin), name);
  }

  /** One top-level GET navigation (a link, the address bar, a redirect the test follows): not followed further. */
  navigate(url: string, options: NavigateOptions = {}): Promise<Response> {
    return this.#send(
      this.#resolve(url),
      { method: 'GET', headers: options.headers },
      {
        chain: [initiatorOf(options.from ?? this.origin)],
        mode: 'navigate',
      },
    );
  }

  /**
   * Navigates to `url` and follows redirects by hand until one leads to `stopAt`, which is not
   * requested (its step has the redirect that led there), or until a page is shown.
   */
  async follow(url: string, stopAt: StopAt, options: NavigateOptions = {}): Promise<Step> {
    const target = this.#resolve(url);
    const chain: Initiator[] = [initiatorOf(options.from ?? this.origin)];
    const first = await this.#send(target, { method: 'GET', headers: options.headers }, { chain, mode: 'navigate' });
    return this.#followRedirects(target, first, stopAt, chain);
  }

  /**
   * A form submission (a top-level POST navigation) of `fields` to `action`, from the page at `from`
   * (default: the action's own origin, the page that served the form). Not followed.
   */
  post(action: string, fields: Record<string, string>, options: { from?: Initiator; headers?: HeaderInit } = {}) {
    const url = this.#resolve(action);
    const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded' });
    for (const [name, value] of new Headers(options.headers)) headers.set(name, value);
    return this.#send(
      url,
      { method: 'POST', headers, body: new URLSearchParams(fields).toString() },
      { chain: [initiatorOf(options.from ?? url.origin)], mode: 'navigate' },
    );
  }

  /**
   * Submits the first form of `page` (shown at `pageUrl`) with its hidden inputs and `fields`, then
   * follows redirects like {@link follow}.
   */
  async submit(pageUrl: string, page: string, fields: Record<string, string>, stopAt: StopAt): Promise<Step> {
    const form = parseForm(page, pageUrl);
    const from = new URL(pageUrl).origin;
    const response = await this.post(form.action, { ...form.fields, ...fields }, { from });
    return this.#followRedirects(new URL(form.action), response, stopAt, [from]);
  }

  /**
   * A script's request from the page origin (`fetch()` in the page): `Sec-Fetch-Mode: cors`, the
   * page's `Origin` when it leaves the origin or is not a GET, cookies by `credentials` (default
   * `same-origin`) and `SameSite`. With `csrf`, `x-csrf: 1`.
   */
  fetch(url: string, init: FetchInit = {}): Promise<Response> {
    if (this.origin === undefined) throw new TypeError('a script request needs a page: give the browser an origin');
    const { csrf, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (csrf) headers.set('x-csrf', '1');
    return this.#send(this.#resolve(url), { ...rest, headers }, { chain: [this.origin], mode: 'cors' });
  }

  /**
   * A whole authorization at a provider's pages: from the authorization URL through sign-in (and
   * consent, allowed) to the redirect back to `redirectUri`, which is returned. The pages are the
   * Gatehouse provider's (`email` and `password`, then `decision`); `user` defaults to {@link demoUser}.
   */
  async authorize(authorizationUrl: string, redirectUri: string, user: SignInUser = demoUser): Promise<URL> {
    let step = await this.follow(authorizationUrl, redirectUri);
    for (let pages = 0; pages < 4 && !step.url.startsWith(redirectUri); pages += 1) {
      const page = await step.response.text();
      if (step.response.status !== 200)
        throw new Error(`unexpected ${step.response.status} at ${step.url}: ${page.slice(0, 300)}`);
      const fields: Record<string, string> = page.includes('name="password"')
        ? { email: user.email, password: user.password }
        : { decision: 'allow' };
      step = await this.submit(step.url, page, fields, redirectUri);
    }
    if (!step.url.startsWith(redirectUri)) throw new Error(`authorization did not return to ${redirectUri}`);
    return new URL(step.url);
  }

  async #followRedirects(from: URL, first: Response, stopAt: StopAt, chain: Initiator[]): Promise<Step> {
    const stops = typeof stopAt === 'string' ? (url: URL) => url.href.startsWith(stopAt) : stopAt;
    let current = from;
    let response = first;
    for (let hops = 0; hops < 10; hops += 1) {
      const location = response.headers.get('location');
      if (!location || response.status < 300 || response.status >= 400) break;
      chain.push(current.origin);
      current = new URL(location, current);
      if (stops(current)) return { url: current.href, response };
      response = await this.#send(current, { method: 'GET' }, { chain, mode: 'navigate' });
    }
    return { url: current.href, response };
  }

  async #send(
    url: URL,
    init: RequestInit,
    started: { chain: readonly Initiator[]; mode: 'navigate' | 'cors' },
  ): Promise<Response> {
    const method = (init.method ?? 'GET').toUpperCase();
    const given = new Headers(init.headers);
    const headers = new Headers();
    const fetchSite = secFetchSite(started.chain, url);
    headers.set('sec-fetch-site', fetchSite);
    headers.set('sec-fetch-mode', started.mode);
    headers.set('sec-fetch-dest', started.mode === 'navigate' ? 'document' : 'empty');
    headers.set('user-agent', 'gatehouse-test-browser');
    headers.set('accept', started.mode === 'navigate' ? 'text/html,application/xhtml+xml,*/*;q=0.8' : '*/*');
    const origin = this.#originHeader(started, url, method);
    if (origin !== undefined) headers.set('origin', origin);
    const credentials = init.credentials ?? 'same-origin';
    const sendsCookies =
      started.mode === 'navigate' ||
      credentials === 'include' ||
      (credentials === 'same-origin' && started.chain[0] === url.origin);
    const cookie = sendsCookies
      ? this.#jar.header(url, {
          sameSite: fetchSite !== 'cross-site',
          laxAllowed: started.mode === 'navigate' && method === 'GET',
        })
      : '';
    if (cookie) headers.set('cookie', cookie);
    for (const [name, value] of given) headers.set(name, value);
    const response = await this.#transport(
      new Request(url, { method, headers, ...(init.body != null ? { body: init.body } : {}) }),
    );
    if (started.mode === 'navigate' || credentials !== 'omit') this.#jar.store(url, response.headers.getSetCookie());
    if (started.mode === 'navigate' && response.status < 300) {
      this.#pagePolicies.set(url.origin, response.headers.get('referrer-policy') ?? '');
    }
    return response;
  }

  /** The `Origin` a browser sends (Fetch §3.1 "append a request `Origin` header"), or undefined for none. */
  #originHeader(started: { chain: readonly Initiator[]; mode: string }, url: URL, method: string) {
    const from = started.chain[0];
    if (from === undefined || from === 'none') return undefined;
    if (started.mode === 'cors')
      return from !== url.origin || (method !== 'GET' && method !== 'HEAD') ? from : undefined;
    if (method === 'GET' || method === 'HEAD') return undefined;
    // Outside CORS mode (a form post), the page's referrer policy can hide where it came from.
    return this.#pagePolicies.get(from) === 'no-referrer' ? 'null' : from;
  }

  #resolve(url: string): URL {
    if (this.origin === undefined && !/^[a-z][a-z0-9+.-]*:/i.test(url)) {
      throw new TypeError(`a relative URL (${url}) needs a page: give the browser an origin`);
    }
    return new URL(url, this.origin);
  }

  #originOf(url: string | undefined): string {
    if (url === undefined) throw new TypeError('which origin? the browser has no page origin');
    return new URL(url).origin;
  }
}

/** An initiator as an origin (a page's URL may be given for its origin), or `'none'`. */
function initiatorOf(from: Initiator | undefined): Initiator {
  return from === undefined || from === 'none' ? 'none' : new URL(from).origin;
}

/**
 * `Sec-Fetch-Site` (Fetch Metadata §2.1): `none` for what the user started, else the widest gap
 * between the target and each URL of the chain (the initiator and every URL it was redirected through).
 */
function secFetchSite(chain: readonly Initiator[], url: URL): 'none' | 'same-origin' | 'same-site' | 'cross-site' {
  const origins = chain.filter((origin) => origin !== 'none');
  if (origins.length === 0) return 'none';
  if (origins.every((origin) => origin === url.origin)) return 'same-origin';
  if (origins.every((origin) => siteOf(origin) === siteOf(url.origin))) return 'same-site';
  return 'cross-site';
}

/** The first form of a page: its absolute action and its hidden inputs. */
export function parseForm(page: string, pageUrl: string): { action: string; fields: Record<string, string> } {
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(page);
  if (!form) throw new Error(`no form on the page: ${page.slice(0, 200)}`);
  const fields: Record<string, string> = {};
  for (const input of (form[2] as string).matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
    if (name) fields[decodeEntities(name)] = decodeEntities(value);
  }
  return { action: new URL(decodeEntities(form[1] as string), pageUrl).href, fields };
}

function decodeEntities(value: string): string {
  return value
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&#x27;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&#96;', '`')
    .replaceAll('&#x60;', '`')
    .replaceAll('&amp;', '&');
}
