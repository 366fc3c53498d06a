import type { ProviderMetadata } from './discovery.js';

export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  scopes: readonly string[];
  state: string;
  /** OpenID providers only; a plain OAuth 2.0 provider gets none. */
  nonce?: string;
  codeChallenge: string;
  /** `none` for silent login, `login` to force re-authentication. */
  prompt?: 'none' | 'login' | 'consent';
}

/** The provider URL that starts an authorization code flow with PKCE S256 (RFC 6749 §4.1.1). */
export function buildAuthorizationUrl(metadata: ProviderMetadata, request: AuthorizationRequest): string {
  const url = new URL(metadata.authorization_endpoint);
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    scope: request.scopes.join(' '),
    state: request.state,
    code_challenge: request.codeChallenge,
    code_challenge_method: 'S256',
  };
  if (request.nonce !== undefined) params.nonce = request.nonce;
  if (request.prompt) params.prompt = request.prompt;
  // Set, not append: a parameter the provider's URL already has is replaced, never duplicated.
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
}
