import { createHash, createHmac, randomBytes } from 'node:crypto';
import { type SocialClient, type SocialProviderOptions, type SocialUser, startSocialProvider } from '../src/index.js';

// A test app of Example Social, driving it over real HTTP the way a browser and a relying party would.

export const app: SocialClient = {
  clientId: 'gatehouse',
  // Characters that RFC 6749 §2.3.1 form-encoding must carry through Basic intact.
  clientSecret: 'sécret:with+odd/chars%20and spaces',
  redirectUris: ['http://localhost:4000/federation/example-social/callback'],
};
export const otherApp: SocialClient = {
  clientId: 'other-app',
  clientSecret: 'other-secret',
  redirectUris: ['http://localhost:5173/callback'],
};
export const ada: SocialUser = { id: '1001', name: 'Ada Lovelace', email: 'ada@example.test', emailVerified: true };
export const alan: SocialUser = { id: '1002', name: 'Alan <b>Turing</b>' };

export type TestProvider = Awaited<ReturnType<typeof startTestProvider>>;

/** A provider on a free loopback port with a clock the test moves by hand. */
export async function startTestProvider(options: Partial<SocialProviderOptions> = {}) {
  const clock = { now: Date.parse('2030-01-01T00:00:00Z') };
  const started = await startSocialProvider({
    clients: [app, otherApp],
    users: [ada, alan],
    now: () => clock.now,
    port: 0,
    ...options,
  });
  return { ...started, clock };
}

export function newPkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The authorization request URL; `overrides` replace (or, as undefined, remove) parameters. */
export function authorizeUrl(base: string, challenge: string, overrides: Record<string, string | undefined> = {}) {
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: app.clientId,
    redirect_uri: app.redirectUris[0],
    state: 'state-123',
    scope: 'public_profile email',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...overrides,
  };
  const url = new URL('/oauth/authorize', base);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url;
}

/** Opens the consent page and reads the pending request's id from its hidden field. */
export async function openConsentPage(url: URL) {
  const response = await fetch(url, { redirect: 'manual' });
  const html = await response.text();
  const requestId = /<input type="hidden" name="request" value="([^"]+)">/.exec(html)?.[1];
  return { response, html, requestId };
}

/** Submits the consent form as the browser would and returns where the provider redirects. */
export async function submitConsent(base: string, requestId: string, choice: { user: string } | { decision: 'deny' }) {
  const response = await fetch(new URL('/oauth/authorize', base), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request: requestId, ...choice }),
    redirect: 'manual',
  });
  const location = response.headers.get('location');
  return { response, location: location === null ? undefined : new URL(location) };
}

/** The whole front channel: consent page, "Continue as", and the code from the redirect. */
export async function signIn(base: string, userId: string) {
  const pkce = newPkce();
  const { requestId } = await openConsentPage(authorizeUrl(base, pkce.challenge));
  const { location } = await submitConsent(base, requestId as string, { user: userId });
  return { code: location?.searchParams.get('code') as string, verifier: pkce.verifier };
}

/** RFC 6749 §2.3.1: each of id and secret form-urlencoded, then base64 of `id:secret`. */
export function basicAuthorization(client: SocialClient): string {
  const encode = (value: string) => encodeURIComponent(value).replaceAll('%20', '+');
  return `Basic ${Buffer.from(`${encode(client.clientId)}:${encode(client.clientSecret)}`).toString('base64')}`;
}

/** A token request authenticated with `client_secret_basic` (default) or `client_secret_post`. */
export function requestToken(
  base: string,
  params: Record<string, string>,
  auth: 'basic' | 'post' = 'basic',
  client: SocialClient = app,
) {
  const body = new URLSearchParams(params);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth === 'basic') headers.authorization = basicAuthorization(client);
  else {
    body.set('client_id', client.clientId);
    body.set('client_secret', client.clientSecret);
  }
  return fetch(new URL('/oauth/token', base), { method: 'POST', headers, body });
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token: string;
  scope: string;
}

/** Signs the user in and redeems the code: the tokens a relying party would hold. */
export async function obtainTokens(base: string, userId: string): Promise<TokenResponse> {
  const { code, verifier } = await signIn(base, userId);
  const response = await requestToken(base, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: app.redirectUris[0] as string,
    code_verifier: verifier,
  });
  if (response.status !== 200) throw new Error(`token request failed: ${response.status}`);
  return (await response.json()) as TokenResponse;
}

export function appsecretProof(accessToken: string, clientSecret = app.clientSecret): string {
  return createHmac('sha256', clientSecret).update(accessToken).digest('hex');
}

/** A Graph-style call with the token and, unless `proof` is null, its appsecret_proof. */
export function callApi(
  base: string,
  path: string,
  accessToken: string,
  proof: string | null = appsecretProof(accessToken),
) {
  const url = new URL(path, base);
  if (proof !== null) url.searchParams.set('appsecret_proof', proof);
  return fetch(url, { headers: { authorization: `Bearer ${accessToken}` } });
}
