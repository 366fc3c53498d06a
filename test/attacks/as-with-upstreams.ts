import type { Store } from '@gatehouse/store';
import {
  freePort,
  loginAtProvider,
  type ProviderPeer,
  parseForm,
  type RunningAuthorizationServer,
  startAuthorizationServer,
  startProviderPeer,
  TestBrowser,
} from '@gatehouse/test-kit';

/**
 * The authorization server as the attack suites meet its upstream sign-in: two OpenID upstreams
 * (oidc-provider, by discovery), `corp` and `corp2`, on loopback, any account name accepted there.
 */
export interface AsWithUpstreams {
  as: RunningAuthorizationServer;
  issuer: string;
  close(): Promise<void>;
}

export type UpstreamName = 'corp' | 'corp2';

export async function startAsWithUpstreams(
  options: { store?: Store; overrides?: Record<string, unknown> } = {},
): Promise<AsWithUpstreams> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const peers: Record<UpstreamName, ProviderPeer> = {
    corp: await startProviderPeer({ redirectUri: `${issuer}/upstream/corp/callback` }),
    corp2: await startProviderPeer({ redirectUri: `${issuer}/upstream/corp2/callback` }),
  };
  const as = await startAuthorizationServer(
    {
      issuer,
      port,
      upstreams: (Object.keys(peers) as UpstreamName[]).map((name) => ({
        name,
        displayName: `Upstream ${name}`,
        type: 'oidc',
        issuer: peers[name].issuer,
        clientId: peers[name].client.clientId,
        clientSecret: peers[name].client.clientSecret,
      })),
      ...options.overrides,
    },
    options.store ? { store: options.store } : {},
  );
  return {
    as,
    issuer,
    close: async () => {
      await as.close();
      for (const peer of Object.values(peers)) await peer.stop();
    },
  };
}

/** The form on `page` whose action ends with `suffix`. */
export function formEndingWith(page: string, pageUrl: string, suffix: string) {
  for (const match of page.matchAll(/<form[\s\S]*?<\/form>/gi)) {
    const form = parseForm(match[0], pageUrl);
    if (form.action.endsWith(suffix)) return form;
  }
  throw new Error(`no form posting to …${suffix}`);
}

/**
 * Presses "Continue with / Link <upstream>" on `pagePath` (the login page or the profile) and signs in
 * at the upstream as `account`; returns the callback URL the upstream sends the browser to, not yet
 * visited.
 */
export async function upstreamCallbackFor(
  browser: TestBrowser,
  issuer: string,
  pagePath: '/login' | '/profile',
  upstream: UpstreamName,
  account: string,
): Promise<string> {
  const pageUrl = `${issuer}${pagePath}`;
  const page = await (await browser.navigate(pageUrl)).text();
  const form = formEndingWith(page, pageUrl, `/upstream/${upstream}/start`);
  const started = await browser.post(form.action, form.fields);
  if (started.status !== 303) throw new Error(`upstream start answered ${started.status}`);
  return (await loginAtProvider(started.headers.get('location') as string, account)).href;
}

/** A new browser signed in at our provider through `upstream` as `account` (an account is created the first time). */
export async function signedInThrough(issuer: string, upstream: UpstreamName, account: string): Promise<TestBrowser> {
  const browser = new TestBrowser();
  const callback = await upstreamCallbackFor(browser, issuer, '/login', upstream, account);
  const done = await browser.navigate(callback);
  if (done.status !== 303 || done.headers.get('location') !== '/profile') {
    throw new Error(`upstream sign-in answered ${done.status} ${done.headers.get('location')}`);
  }
  return browser;
}

/** Links `upstream`'s `account` to the account `browser` is signed in to, from the profile page. */
export async function linkFromProfile(
  browser: TestBrowser,
  issuer: string,
  upstream: UpstreamName,
  account: string,
): Promise<string | null> {
  const callback = await upstreamCallbackFor(browser, issuer, '/profile', upstream, account);
  return (await browser.navigate(callback)).headers.get('location');
}
