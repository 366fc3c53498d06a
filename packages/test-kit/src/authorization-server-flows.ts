import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { RunningAuthorizationServer } from './authorization-server.js';
import { confidentialClient, demoUser, publicClient } from './fixtures.js';
import { parseForm, type TestBrowser } from './test-browser.js';

/**
 * The client side of the flows the authorization server's tests exercise and attack (a code, tokens,
 * a signed-in browser), sent through the server's own `fetch` and `browser()`: in-process for a built
 * server, over loopback HTTP for a listening one.
 */

/** What the flows need of a server: its issuer, and how a program and a browser reach it. */
export type ServerClient = Pick<RunningAuthorizationServer, 'issuer' | 'fetch' | 'browser'>;

export const webAppRedirect = confidentialClient.redirect_uris[0] as string;
export const spaRedirect = publicClient.redirect_uris[0] as string;
export const webAppLogoutRedirect = confidentialClient.post_logout_redirect_uris[0] as string;

/** The harness's clients plus `extra`, for `overrides.clients`. */
export function clientsWith(...extra: Record<string, unknown>[]): Record<string, unknown>[] {
  return [confidentialClient, publicClient, ...extra];
}

/** The harness's user plus `extra`, for `overrides.users`. */
export function usersWith(...extra: { email: string; password: string; name?: string }[]) {
  return [demoUser, ...extra];
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** `application/x-www-form-urlencoded` encoding of one value (RFC 6749 App. B). */
export function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/** `client_secret_basic` as RFC 6749 §2.3.1 spells it: each part form-encoded, then base64. */
export function basicAuthorization(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(secret)}`).toString('base64')}`;
}

export const webAppAuthorization = basicAuthorization(confidentialClient.client_id, confidentialClient.client_secret);

export function authorizationUrl(issuer: string, params: Record<string, string>): string {
  return `${issuer}/authorize?${new URLSearchParams(params)}`;
}

/** A GET that is not followed: the answer the browser would get. */
export function getRaw(server: ServerClient, url: string, headers: Record<string, string> = {}): Promise<Response> {
  return server.fetch(url, { headers, redirect: 'manual' });
}

/** A form POST that is not followed. */
export function postForm(
  server: ServerClient,
  url: string,
  fields: Record<string, string> | string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return server.fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: typeof fields === 'string' ? fields : new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

export type ClientName = 'web-app' | 'spa';

/** A token-endpoint request as `client` sends it: Basic for `web-app`, `client_id` only for `spa`. */
export function tokenRequest(server: ServerClient, client: ClientName, fields: Record<string, string>) {
  return client === 'spa'
    ? postForm(server, `${server.issuer}/token`, { client_id: publicClient.client_id, ...fields })
    : postForm(server, `${server.issuer}/token`, fields, { authorization: webAppAuthorization });
}

export interface CodeOptions {
  client?: ClientName;
  scope?: string;
  /** Default: PKCE for `spa`, none for `web-app` (certification flows send none; SECURITY.md §9.2). */
  pkce?: boolean;
  /** Default: a new browser of the server's. */
  browser?: TestBrowser;
  /** Extra or replaced authorization parameters. */
  params?: Record<string, string>;
  user?: { email: string; password: string };
}

export interface IssuedCode {
  code: string;
  verifier: string | undefined;
  redirectUri: string;
  client: ClientName;
  callback: URL;
  browser: TestBrowser;
}

/** Runs an authorization (login and consent in a scripted browser) and returns the code it ended with. */
export async function obtainCode(server: ServerClient, options: CodeOptions = {}): Promise<IssuedCode> {
  const client = options.client ?? 'web-app';
  const redirectUri = client === 'spa' ? spaRedirect : webAppRedirect;
  const pair = (options.pkce ?? client === 'spa') ? pkcePair() : undefined;
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: client,
    redirect_uri: redirectUri,
    scope: options.scope ?? (client === 'spa' ? 'openid profile api' : 'openid profile email offline_access api'),
    state: randomBytes(16).toString('base64url'),
    ...(pair ? { code_challenge: pair.challenge, code_challenge_method: 'S256' } : {}),
    ...options.params,
  };
  const browser = options.browser ?? server.browser();
  const callback = await browser.authorize(authorizationUrl(server.issuer, params), redirectUri, options.user);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`the authorization ended without a code: ${callback.href}`);
  return { code, verifier: pair?.verifier, redirectUri, client, callback, browser };
}

/** The token request that redeems `issued` as its client would (verifier and redirect URI included). */
export function redeemCode(server: ServerClient, issued: IssuedCode, extra: Record<string, string> = {}) {
  return tokenRequest(server, issued.client, {
    grant_type: 'authorization_code',
    code: issued.code,
    redirect_uri: issued.redirectUri,
    ...(issued.verifier ? { code_verifier: issued.verifier } : {}),
    ...extra,
  });
}

export interface TokenSet {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

/** A whole sign-in: the code, redeemed. */
export async function obtainTokens(
  server: ServerClient,
  options: CodeOptions = {},
): Promise<TokenSet & { issued: IssuedCode }> {
  const issued = await obtainCode(server, options);
  const response = await redeemCode(server, issued);
  if (response.status !== 200) throw new Error(`redemption failed: ${response.status} ${await response.text()}`);
  return { ...((await response.json()) as TokenSet), issued };
}

export function refreshRequest(
  server: ServerClient,
  client: ClientName,
  refreshToken: string,
  extra: Record<string, string> = {},
) {
  return tokenRequest(server, client, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra });
}

/** Introspection by `web-app` (Basic). */
export function introspect(server: ServerClient, token: string): Promise<Response> {
  return postForm(server, `${server.issuer}/introspect`, { token }, { authorization: webAppAuthorization });
}

export function userinfo(server: ServerClient, accessToken: string): Promise<Response> {
  return server.fetch(`${server.issuer}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
}

/** Signs `user` in through the plain `/login` page (no authorization request); returns the POST's answer. */
export async function signInAtLoginPage(
  server: ServerClient,
  browser: TestBrowser,
  user: { email: string; password: string } = demoUser,
): Promise<Response> {
  const page = await browser.navigate(`${server.issuer}/login`);
  const form = parseForm(await page.text(), `${server.issuer}/login`);
  return browser.post(form.action, { ...form.fields, email: user.email, password: user.password });
}

/** The CSRF token of the first form on a page. */
export function csrfOf(page: string, pageUrl: string): string {
  const token = parseForm(page, pageUrl).fields.csrf;
  if (!token) throw new Error('the page has no csrf field');
  return token;
}

/** The value a `Set-Cookie` list sets for `name`, or undefined. */
export function cookieValue(response: Response, name: string): string | undefined {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const equals = (pair as string).indexOf('=');
    if ((pair as string).slice(0, equals) === name) return (pair as string).slice(equals + 1);
  }
  return undefined;
}

export const sessionCookie = '__Host-gh-as-session';

export function payloadOf(jwt: string): Record<string, unknown> {
  return decodeJwt(jwt) as Record<string, unknown>;
}

export function headerOf(jwt: string): Record<string, unknown> {
  return decodeProtectedHeader(jwt) as Record<string, unknown>;
}

/** Signs of a server's insides in a response body: stack frames, file paths, exception classes, SQL. */
export const internalsPattern =
  /\n\s+at |node_modules|\/work\/|\/src\/|\.[cm]?[jt]s:\d+|\b(Type|Range|Syntax|Reference|URI|Store\w*)Error\b|FST_ERR|\bSELECT\b|\bINSERT\b/;

/** RFC 6749 §5.2 / §4.1.2.1: the characters an `error_description` may use. */
export const errorDescriptionCharset = /^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/;
