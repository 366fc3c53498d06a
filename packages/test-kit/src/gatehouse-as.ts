import { createAuthorizationServer, loadAuthorizationServerConfig } from '@gatehouse/authorization-server';
import type { Store } from '@gatehouse/store';
import type { FastifyInstance } from 'fastify';
import { freePort } from './free-port.js';

export const demoUser = { email: 'alice@example.com', password: 'correct horse battery staple', name: 'Alice' };
export const confidentialClient = {
  client_id: 'web-app',
  client_secret: 'web-app-secret-0123456789abcdefghij',
  redirect_uris: ['http://127.0.0.1:9999/callback'],
  post_logout_redirect_uris: ['http://127.0.0.1:9999/signed-out'],
  grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  scope: 'openid profile email offline_access api',
  client_name: 'Web App',
};
export const publicClient = {
  client_id: 'spa',
  redirect_uris: ['http://127.0.0.1:9999/spa-callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  token_endpoint_auth_method: 'none',
  scope: 'openid profile api',
  allowed_cors_origins: ['http://127.0.0.1:9999'],
  skip_consent: true,
};
export const apiResource = 'http://127.0.0.1:5000';

export interface RunningAuthorizationServer {
  issuer: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Our authorization server on a free loopback port, with the clients and user above unless overridden. */
export async function startAuthorizationServer(
  overrides: Record<string, unknown> = {},
  deps: { store?: Store; now?: () => number; logger?: unknown; fetch?: typeof fetch } = {},
): Promise<RunningAuthorizationServer> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const config = loadAuthorizationServerConfig({
    issuer,
    port,
    store: 'memory',
    cookieSecrets: ['test-cookie-secret-0123456789abcdefghij'],
    resources: [apiResource],
    clients: [confidentialClient, publicClient],
    users: [demoUser],
    ...overrides,
  });
  const app = await createAuthorizationServer(config, deps as never);
  // `issuer` and `port` may be overridden together (a test that must know the URL before starting).
  await app.listen({ port: config.port, host: '127.0.0.1' });
  return { issuer: config.issuer, app, close: () => app.close() };
}

/**
 * A scripted browser for the provider's pages: keeps cookies per origin, follows redirects by hand,
 * and fills the first form of a page (hidden inputs kept, named fields set).
 */
export class ScriptedBrowser {
  readonly cookies = new Map<string, string>();

  async get(url: string): Promise<Response> {
    return this.#send(url, { method: 'GET' });
  }

  async post(url: string, fields: Record<string, string>): Promise<Response> {
    return this.#send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /** Follows redirects from `url` until one leaves the provider (returned) or a page is shown. */
  async navigate(url: string, stopAt: string): Promise<{ url: string; response: Response }> {
    return this.#follow(url, await this.get(url), stopAt);
  }

  /** Submits the page's first form with these fields and follows redirects like `navigate`. */
  async submit(pageUrl: string, page: string, fields: Record<string, string>, stopAt: string) {
    const form = parseForm(page, pageUrl);
    return this.#follow(form.action, await this.post(form.action, { ...form.fields, ...fields }), stopAt);
  }

  async #follow(from: string, first: Response, stopAt: string): Promise<{ url: string; response: Response }> {
    let current = from;
    let response = first;
    for (let hops = 0; hops < 10; hops += 1) {
      const location = response.headers.get('location');
      if (!location || response.status < 300 || response.status >= 400) break;
      current = new URL(location, current).href;
      if (current.startsWith(stopAt)) return { url: current, response };
      response = await this.get(current);
    }
    return { url: current, response };
  }

  /**
   * Runs a whole authorization: from the authorization URL through login (and consent, allowed) to
   * the redirect back to `redirectUri`, which is returned.
   */
  async authorize(
    authorizationUrl: string,
    redirectUri: string,
    user: { email: string; password: string } = demoUser,
  ): Promise<URL> {
    let step = await this.navigate(authorizationUrl, redirectUri);
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

  async #send(url: string, init: RequestInit): Promise<Response> {
    const origin = new URL(url).origin;
    const jar = this.cookies.get(origin);
    const headers = new Headers(init.headers);
    if (jar) headers.set('cookie', jar);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = (pair as string).split('=') as [string, string];
      const cookies = new Map(
        (this.cookies.get(origin) ?? '')
          .split('; ')
          .filter(Boolean)
          .map((c) => c.split('=') as [string, string]),
      );
      if (/max-age=0/i.test(line)) cookies.delete(name);
      else cookies.set(name, value);
      this.cookies.set(origin, [...cookies].map(([n, v]) => `${n}=${v}`).join('; '));
    }
    return response;
  }
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
