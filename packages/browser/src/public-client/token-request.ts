import type { ClientContext } from './client-context.js';
import { SignInError } from './errors.js';

/** The grant of a token request: a code (RFC 6749 §4.1.3) or a refresh token (§6), optionally for fewer scopes. */
export type TokenGrant =
  | { grant_type: 'authorization_code'; code: string; redirect_uri: string; code_verifier: string }
  | { grant_type: 'refresh_token'; refresh_token: string; scope?: string };

/**
 * A successful token response (RFC 6749 §5.1), by its wire names: `access_token` is checked to be a
 * string; any other member is as the provider sent it, so check its type before use.
 */
export interface TokenResponse {
  access_token: string;
  expires_in?: unknown;
  refresh_token?: unknown;
  id_token?: unknown;
  scope?: unknown;
}

export type TokenRequestContext = Pick<ClientContext, 'fetch' | 'clientId' | 'discover'>;

/**
 * Sends a token request to the provider's token endpoint, as a public client (its `client_id`, no
 * secret), and reads the answer with {@link readTokenResponse}. No answer at all is
 * `token_request_failed`.
 */
export async function requestTokens(grant: TokenGrant, context: TokenRequestContext): Promise<TokenResponse> {
  const provider = await context.discover();
  let response: Response;
  try {
    response = await context.fetch(provider.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ ...grant, client_id: context.clientId }),
    });
  } catch {
    throw new SignInError('token_request_failed', 'token endpoint unreachable');
  }
  return readTokenResponse(response);
}

/**
 * Reads a token endpoint's answer: a success with a string `access_token` is a token response;
 * otherwise the provider's `error` is refused by its code (RFC 6749 §5.2), an error status without
 * one is `token_request_failed`, and a success without an access token (or not JSON at all) is
 * `invalid_token_response`.
 */
export async function readTokenResponse(response: Response): Promise<TokenResponse> {
  const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  if (response.ok && typeof body?.access_token === 'string') return body as unknown as TokenResponse;
  if (typeof body?.error === 'string') throw SignInError.fromProvider(body.error, body.error_description);
  throw new SignInError(
    response.ok ? 'invalid_token_response' : 'token_request_failed',
    `token endpoint answered ${response.status} without an access token`,
  );
}
