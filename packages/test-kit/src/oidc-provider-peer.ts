import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

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
}): Promise<ProviderPeer> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = {
    clientId: 'gatehouse-bff',
    // Characters that break a naive Basic header on purpose (RFC 6749 §2.3.1 encodes them first).
    clientSecret: options.clientSecret ?? 'se:cr+et/with%odd=chars-0123456789',
    redirectUri: options.redirectUri,
  };
  const provider = new Provider(issuer, {
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
    // Refresh tokens for every client allowed the grant, not only after an explicit consent prompt.
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) =>
      client.grantTypeAllowed('refresh_token'),
    features: {
      devInteractions: { enabled: true },
      revocation: { enabled: true },
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
 * Follows an authorization URL through the provider's login and consent forms as user `sub` and
 * returns the final redirect to the client's redirect URI (with `code`, `state`, `iss`).
 */
export async function loginAtProvider(
  authorizationUrl: string,
  sub: string,
  jar: Map<string, string> = new Map(),
): Promise<URL> {
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const remember = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = (pair as string).indexOf('=');
      jar.set((pair as string).slice(0, at), (pair as string).slice(at + 1));
    }
  };
  let url = new URL(authorizationUrl);
  for (let step = 0; step < 12; step += 1) {
    if (!url.href.startsWith(new URL(authorizationUrl).origin)) return url; // left the provider
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: cookieHeader() } });
    remember(response);
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get('location') as string, url);
      continue;
    }
    const html = await response.text();
    const prompt = /name="prompt" value="([a-z]+)"/.exec(html)?.[1];
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!prompt || !action) throw new Error(`unexpected provider page (${response.status})`);
    const form = new URLSearchParams({ prompt });
    if (prompt === 'login') {
      form.set('login', sub);
      form.set('password', 'any');
    }
    const submitted = await fetch(new URL(action, url), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    remember(submitted);
    url = new URL(submitted.headers.get('location') as string, url);
  }
  throw new Error('too many steps at the provider');
}

/**
 * Signs the user of `jar` (the provider cookies from {@link loginAtProvider}) out at the provider
 * itself, as if they clicked "sign out" there: the provider then notifies clients by back-channel.
 */
export async function logoutAtProvider(issuer: string, jar: Map<string, string>): Promise<void> {
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const page = await fetch(`${issuer}/session/end`, { headers: { cookie: cookie() } });
  const html = await page.text();
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
  const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!xsrf || !action) throw new Error('unexpected provider logout page');
  const done = await fetch(new URL(action, issuer), {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ xsrf, logout: 'yes' }),
  });
  if (done.status >= 400) throw new Error(`provider logout failed: ${done.status}`);
}
