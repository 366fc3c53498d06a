import {
  basicAuthorization,
  type CodeOptions,
  confidentialClient,
  obtainCode,
  postForm,
  type ServerClient,
  type TokenSet,
  webAppRedirect,
} from '@gatehouse/test-kit';

/**
 * The client side of token exchange and one-time codes, shared by their suites: confidential clients
 * of the app's server, their sign-in, and the requests they send, over real HTTP.
 */

export const tokenExchangeGrant = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const oneTimeCodeGrant = 'urn:gatehouse:params:oauth:grant-type:one-time-code';
export const accessTokenType = 'urn:ietf:params:oauth:token-type:access_token';

export interface ConfidentialClient {
  client_id: string;
  client_secret: string;
  [field: string]: unknown;
}

/** The harness's `web-app`, registered for token exchange, with `extra` metadata. */
export function exchangingWebApp(extra: Record<string, unknown> = {}): ConfidentialClient {
  return {
    ...confidentialClient,
    grant_types: [...confidentialClient.grant_types, tokenExchangeGrant],
    ...extra,
  };
}

/** Another confidential client of the app (same redirect URI as `web-app`, so `obtainCode` can drive it). */
export function confidentialApp(client_id: string, extra: Record<string, unknown> = {}): ConfidentialClient {
  return {
    client_id,
    client_secret: `${client_id}-secret-0123456789abcdefghijklmnop`,
    redirect_uris: [webAppRedirect],
    grant_types: ['authorization_code', 'refresh_token', tokenExchangeGrant],
    scope: 'openid profile email offline_access api',
    ...extra,
  };
}

export function authorizationOf(client: ConfidentialClient): string {
  return basicAuthorization(client.client_id, client.client_secret);
}

/** A whole sign-in by a confidential client (Basic authentication at `/token`). */
export async function signIn(
  server: ServerClient,
  client: ConfidentialClient,
  options: Omit<CodeOptions, 'client'> = {},
): Promise<TokenSet> {
  const issued = await obtainCode(server, { ...options, params: { client_id: client.client_id, ...options.params } });
  const response = await postForm(
    server,
    `${server.issuer}/token`,
    { grant_type: 'authorization_code', code: issued.code, redirect_uri: issued.redirectUri },
    { authorization: authorizationOf(client) },
  );
  if (response.status !== 200) throw new Error(`redemption failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as TokenSet;
}

/** A token-exchange request by `client` for `subjectToken` (an access token unless `fields` say otherwise). */
export function exchange(
  server: ServerClient,
  client: ConfidentialClient,
  subjectToken: string,
  fields: Record<string, string> = {},
): Promise<Response> {
  return postForm(
    server,
    `${server.issuer}/token`,
    { grant_type: tokenExchangeGrant, subject_token: subjectToken, subject_token_type: accessTokenType, ...fields },
    { authorization: authorizationOf(client) },
  );
}

/** The `error` of an OAuth JSON error answer. */
export async function errorOf(response: Response): Promise<string> {
  const body = (await response.json()) as { error?: string };
  return body.error ?? `(no error; status ${response.status})`;
}
