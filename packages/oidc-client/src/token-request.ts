import type { ProviderMetadata } from './discovery.js';
import { TokenEndpointError } from './errors.js';
import { callProvider, type Fetch } from './provider-http.js';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  /** Default `client_secret_basic`; `client_secret_post` for providers that only take the secret in the body. */
  authMethod?: 'client_secret_basic' | 'client_secret_post';
}

/** A successful token response (RFC 6749 §5.1), with the fields the BFF relies on checked. */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
}

/**
 * `client_secret_basic` per RFC 6749 §2.3.1: each part form-urlencoded *before* base64, so secrets
 * with `:`, `+`, `%` or `/` survive.
 */
export function basicAuthorization({ clientId, clientSecret }: ClientCredentials): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

/**
 * Sends a grant to the token endpoint with client authentication and checks the answer: an OAuth
 * error becomes a {@link TokenEndpointError} with its wire code; a 200 without a string
 * `access_token` and a `Bearer` type is refused too.
 */
export async function requestTokens(
  metadata: ProviderMetadata,
  client: ClientCredentials,
  grant: Record<string, string>,
  options: { fetch?: Fetch; timeoutMs?: number } = {},
): Promise<TokenResponse> {
  const inBody = client.authMethod === 'client_secret_post';
  const form = inBody ? { ...grant, client_id: client.clientId, client_secret: client.clientSecret } : grant;
  const { status, body } = await callProvider(
    options.fetch ?? fetch,
    metadata.token_endpoint,
    {
      method: 'POST',
      headers: {
        ...(inBody ? {} : { authorization: basicAuthorization(client) }),
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams(form).toString(),
    },
    options.timeoutMs ?? 10_000,
  );
  const fields =
    body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  if (status !== 200) {
    const oauthError = typeof fields.error === 'string' ? fields.error : undefined;
    const description =
      typeof fields.error_description === 'string' ? `: ${fields.error_description.slice(0, 200)}` : '';
    throw new TokenEndpointError(
      `token endpoint answered ${status}${oauthError ? ` ${oauthError}` : ''}${description}`,
      oauthError,
      status,
    );
  }
  if (typeof fields.access_token !== 'string' || typeof fields.token_type !== 'string') {
    throw new TokenEndpointError('token response lacks access_token or token_type', undefined, status);
  }
  if (fields.token_type.toLowerCase() !== 'bearer') {
    throw new TokenEndpointError(`token_type ${fields.token_type} is not Bearer`, undefined, status);
  }
  for (const name of ['refresh_token', 'id_token', 'scope'] as const) {
    if (fields[name] !== undefined && typeof fields[name] !== 'string') {
      throw new TokenEndpointError(`token response ${name} is not a string`, undefined, status);
    }
  }
  if (fields.expires_in !== undefined && (typeof fields.expires_in !== 'number' || !(fields.expires_in >= 0))) {
    throw new TokenEndpointError('token response expires_in is not a number', undefined, status);
  }
  return fields as unknown as TokenResponse;
}
