import { createHash, randomBytes } from 'node:crypto';
import { startSocialProvider } from '@gatehouse/demo-upstream';
import {
  confidentialClient,
  demoUser,
  freePort,
  loginAtProvider,
  type ProviderPeer,
  parseForm,
  type RunningAuthorizationServer,
  startAuthorizationServer,
  startProviderPeer,
  TestBrowser,
} from '@gatehouse/test-kit';
import { decodeJwt } from 'jose';

export const tokenExchange = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const socialSecret = 'social-client-secret-0123456789';
/** Example Social's users: one with a verified email, one claiming the local demo user's address unverified. */
export const sam = { id: '2001', name: 'Sam Social', email: 'sam@social.test', emailVerified: true };
export const impostor = { id: '2002', name: 'Not Alice', email: demoUser.email, emailVerified: false };
export const redirectUri = confidentialClient.redirect_uris[0] as string;

export interface Federation {
  as: RunningAuthorizationServer;
  issuer: string;
  social: Awaited<ReturnType<typeof startSocialProvider>>;
  corp: ProviderPeer;
  /** Our provider's clock; tests move it to make upstream tokens due for refresh. */
  clock: { now: number };
  /** Calls the provider made to upstreams, by URL path. */
  upstreamCalls: string[];
  close(): Promise<void>;
}

/**
 * Our provider with two upstreams: Example Social (plain OAuth 2.0, profile API requiring
 * appsecret_proof) and oidc-provider (OpenID, by discovery). `web-app` may exchange for social tokens.
 */
export async function startFederation(
  options: {
    socialTokenTtl?: number;
    extraUpstreams?: Record<string, unknown>[];
    /** The provider's logger and metrics registry (default: none, a registry of its own). */
    logger?: unknown;
    metricsRegistry?: unknown;
  } = {},
): Promise<Federation> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const social = await startSocialProvider({
    clients: [
      {
        clientId: 'gatehouse',
        clientSecret: socialSecret,
        redirectUris: [`${issuer}/upstream/social/callback`],
      },
    ],
    users: [sam, impostor],
    ...(options.socialTokenTtl ? { accessTokenTtlSeconds: options.socialTokenTtl } : {}),
    port: 0,
  });
  const corp = await startProviderPeer({ redirectUri: `${issuer}/upstream/corp/callback` });
  const clock = { now: Date.now() };
  const upstreamCalls: string[] = [];
  const recordingFetch: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.origin === social.url || url.origin === corp.issuer) upstreamCalls.push(url.pathname);
    return fetch(input, init);
  };
  const socialUpstream = {
    name: 'social',
    displayName: 'Example Social',
    type: 'oauth2',
    authorizationEndpoint: `${social.url}/oauth/authorize`,
    tokenEndpoint: `${social.url}/oauth/token`,
    profileUrl: `${social.url}/me`,
    clientId: 'gatehouse',
    clientSecret: socialSecret,
    apiBaseUrl: `${social.url}/me`,
    appsecretProof: true,
  };
  const as = await startAuthorizationServer(
    {
      issuer,
      port,
      upstreams: [
        socialUpstream,
        {
          name: 'corp',
          displayName: 'Corp ID',
          type: 'oidc',
          issuer: corp.issuer,
          clientId: corp.client.clientId,
          clientSecret: corp.client.clientSecret,
        },
        ...(options.extraUpstreams ?? []),
      ],
      clients: [
        {
          ...confidentialClient,
          grant_types: [...confidentialClient.grant_types, tokenExchange],
          upstream_tokens: ['social'],
        },
        {
          ...confidentialClient,
          client_id: 'other-app',
          client_secret: 'other-app-secret-0123456789abcdefghij',
          grant_types: ['authorization_code', tokenExchange],
        },
      ],
    },
    {
      now: () => clock.now,
      fetch: recordingFetch,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.metricsRegistry === undefined ? {} : { metricsRegistry: options.metricsRegistry }),
    },
  );
  return {
    as,
    issuer,
    social,
    corp,
    clock,
    upstreamCalls,
    close: async () => {
      await as.close();
      await social.close();
      await corp.stop();
    },
  };
}

/** Example Social's consent page: continue as `userId`, or cancel; returns where it redirects. */
export async function answerSocial(authorizeUrl: string, userId: string | 'deny'): Promise<string> {
  const page = await fetch(authorizeUrl);
  const html = await page.text();
  const request = /name="request" value="([^"]+)"/.exec(html)?.[1];
  if (!request) throw new Error(`unexpected Example Social page (${page.status}): ${html.slice(0, 200)}`);
  const answer = await fetch(new URL('/oauth/authorize', authorizeUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(userId === 'deny' ? { request, decision: 'deny' } : { request, user: userId }),
  });
  return answer.headers.get('location') as string;
}

/** The form on `page` whose action ends with `suffix`, as `parseForm` reads forms. */
export function formEndingWith(page: string, pageUrl: string, suffix: string) {
  for (const match of page.matchAll(/<form[\s\S]*?<\/form>/gi)) {
    const form = parseForm(match[0], pageUrl);
    if (form.action.endsWith(suffix)) return form;
  }
  throw new Error(`no form posting to …${suffix}`);
}

export function authorizationUrl(issuer: string, clientId = 'web-app') {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${issuer}/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: 'openid profile email',
    state: randomBytes(16).toString('base64url'),
    nonce: 'n-0S6_WzA2Mj',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  return { url: url.href, verifier };
}

/** Consents (if asked) and follows to the client's redirect URI; returns the code. */
export async function finishAtProvider(browser: TestBrowser, from: { url: string; response: Response }) {
  let step = from;
  for (let pages = 0; pages < 3 && !step.url.startsWith(redirectUri); pages += 1) {
    const page = await step.response.text();
    if (step.response.status !== 200 || !page.includes('name="decision"'))
      throw new Error(`unexpected ${step.response.status} at ${step.url}: ${page.slice(0, 300)}`);
    step = await browser.submit(step.url, page, { decision: 'allow' }, redirectUri);
  }
  const url = new URL(step.url);
  const code = url.searchParams.get('code');
  if (!code) throw new Error(`no code at ${step.url}`);
  return code;
}

/** Redeems a code for `web-app`; returns the tokens and the ID token's claims. */
export async function redeem(issuer: string, code: string, verifier: string, client = confidentialClient) {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    }),
  });
  const tokens = (await response.json()) as { access_token: string; id_token: string };
  if (response.status !== 200) throw new Error(`token endpoint: ${JSON.stringify(tokens)}`);
  return { tokens, claims: decodeJwt(tokens.id_token) };
}

/**
 * A whole sign-in of `web-app` through "Continue with <upstream>": our login page, the upstream
 * (Example Social's user `as`, or oidc-provider's account `as`), back to our provider, consent, code.
 */
export async function signInThrough(
  federation: Federation,
  upstream: 'social' | 'corp',
  as: string,
  browser = new TestBrowser(),
) {
  const { url, verifier } = authorizationUrl(federation.issuer);
  const login = await browser.follow(url, redirectUri);
  const page = await login.response.text();
  const form = formEndingWith(page, login.url, `/upstream/${upstream}/start`);
  const started = await browser.post(form.action, form.fields);
  if (started.status !== 303) throw new Error(`start answered ${started.status}`);
  const atUpstream = started.headers.get('location') as string;
  const callback =
    upstream === 'social' ? await answerSocial(atUpstream, as) : (await loginAtProvider(atUpstream, as)).href;
  const back = await browser.follow(callback, redirectUri);
  const code = await finishAtProvider(browser, back);
  return { browser, ...(await redeem(federation.issuer, code, verifier)) };
}
