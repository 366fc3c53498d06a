import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOidcProvider } from './oidc-provider.js';
import { TestBrowser } from './test-browser.js';

/**
 * A real, independent OpenID provider (`oidc-provider`) on loopback, for the BFF to log in against.
 * Its development login form accepts any user name; {@link loginAtProvider} fills it in.
 */
export interface ProviderPeer {
  issuer: string;
  client: { clientId: string; clientSecret: string; redirectUri: string };
  stop(): Promise<void>;
}

export async function startProviderPeer(options: {
  redirectUri: string;
  clientSecret?: string;
  /** Registers this back-channel logout URI for the client and turns the feature on. */
  backchannelLogoutUri?: string;
  /** Also registers a public client (no secret, PKCE) for browser-based apps. */
  publicClient?: { clientId: string; redirectUri: string };
  /** Sees every request the provider gets, by method and path (to count token requests, say). */
  onRequest?: (method: string, path: string) => void;
}): Promise<ProviderPeer> {
  const server: Server = createServer();
  server.on('request', (request) =>
    options.onRequest?.(request.method ?? '', new URL(request.url ?? '/', 'http://x').pathname),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = {
    clientId: 'gatehouse-bff',
    // Characters that break a naive Basic header on purpose (RFC 6749 §2.3.1 encodes them first).
    clientSecret: options.clientSecret ?? 'se:cr+et/with%odd=chars-0123456789',
    redirectUri: options.redirectUri,
  };
  const provider = await createOidcProvider(issuer, {
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: [client.redirectUri],
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        post_logout_redirect_uris: [new URL('/', client.redirectUri).href],
        ...(options.backchannelLogoutUri
          ? { backchannel_logout_uri: options.backchannelLogoutUri, backchannel_logout_session_required: true }
          : {}),
      },
      ...(options.publicClient
        ? [
            {
              client_id: options.publicClient.clientId,
              redirect_uris: [options.publicClient.redirectUri],
              post_logout_redirect_uris: [new URL('/', options.publicClient.redirectUri).href],
              grant_types: ['authorization_code', 'refresh_token'],
              response_types: ['code' as const],
              token_endpoint_auth_method: 'none' as const,
            },
          ]
        : []),
    ],
    pkce: { required: () => true },
    // The default's rule, set so it prints no notice: a public client's page (or UserInfo) may call
    // from the origin of one of its redirect URIs.
    clientBasedCORS: (ctx, origin, client) =>
      origin !== 'null' &&
      (ctx.oidc.route === 'userinfo' || client.clientAuthMethod === 'none') &&
      (client.redirectUris ?? []).some((uri) => URL.canParse(uri) && new URL(uri).origin === origin),
    // Refresh tokens for every client allowed the grant, not only after an explicit consent prompt.
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) =>
      client.grantTypeAllowed('refresh_token'),
    features: {
      devInteractions: { enabled: true },
      // Set rather than left to the defaults, which print a notice when first called.
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = `<!DOCTYPE html><title>Sign out</title>${form}<button form="op.logoutForm" name="logout" value="yes">Sign out</button>`;
        },
      },
      clientCredentials: { enabled: true },
      backchannelLogout: { enabled: options.backchannelLogoutUri !== undefined },
    },
    cookies: { keys: ['gatehouse-test-cookie-key'] },
    // The provider refuses outgoing calls to loopback (SSRF protection); everything here is loopback.
    fetch: (url: string | URL | Request, init?: RequestInit) => {
      const { dispatcher: _, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
      return fetch(url, rest);
    },
    ttl: {
      AccessToken: 600,
      ClientCredentials: 600,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: 600,
      Interaction: 600,
      RefreshToken: 86_400,
      Session: 3600,
    },
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({ sub, name: `User ${sub}`, email: `${sub}@example.test` }),
    }),
    claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
  });
  server.on('request', provider.callback());

  return {
    issuer,
    client,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Follows an authorization URL through the provider's login and consent forms as user `sub` in
 * `browser` (default: a new one) and returns the final redirect to the client's redirect URI (with
 * `code`, `state`, `iss`). The browser keeps the provider's cookies, for {@link logoutAtProvider}.
 */
export async function loginAtProvider(
  authorizationUrl: string,
  sub: string,
  browser: TestBrowser = new TestBrowser(),
): Promise<URL> {
  const provider = new URL(authorizationUrl).origin;
  const leaves = (url: URL) => url.origin !== provider;
  let step = await browser.follow(authorizationUrl, leaves);
  for (let pages = 0; pages < 6; pages += 1) {
    if (leaves(new URL(step.url))) return new URL(step.url);
    const page = await step.response.text();
    const prompt = /name="prompt" value="([a-z]+)"/.exec(page)?.[1];
    if (!prompt) throw new Error(`unexpected provider page (${step.response.status})`);
    step = await browser.submit(step.url, page, prompt === 'login' ? { login: sub, password: 'any' } : {}, leaves);
  }
  throw new Error('too many steps at the provider');
}

/**
 * Signs the user of `browser` (signed in by {@link loginAtProvider}) out at the provider itself, as
 * if they clicked "sign out" there: the provider then notifies clients by back-channel.
 */
export async function logoutAtProvider(issuer: string, browser: TestBrowser): Promise<void> {
  const page = await browser.navigate(`${issuer}/session/end`);
  const html = await page.text();
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
  const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!xsrf || !action) throw new Error('unexpected provider logout page');
  const done = await browser.post(
    new URL(action, issuer).href,
    { xsrf, logout: 'yes' },
    { from: new URL(issuer).origin },
  );
  if (done.status >= 400) throw new Error(`provider logout failed: ${done.status}`);
}
