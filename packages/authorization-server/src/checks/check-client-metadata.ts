import { isLoopbackHost } from '@gatehouse/config';
import type { ClientMetadata } from '../protocol/client-metadata.js';
import { oneTimeCodeGrantType, tokenExchangeGrantType } from '../protocol/grant-types.js';
import { userSubjectPrefix } from '../protocol/subjects.js';

export interface MetadataProblem {
  field: string;
  message: string;
}

/**
 * The registration rules beyond the schema (SECURITY.md §2): absolute redirect URIs without fragments
 * or wildcards, https except on loopback; secrets exactly when the auth method needs one; keys for
 * `private_key_jwt`; grants that fit the client type. Returns the first problem, or undefined.
 */
export function checkClientMetadata(client: ClientMetadata): MetadataProblem | undefined {
  if (client.client_id.startsWith(userSubjectPrefix)) {
    return { field: 'client_id', message: `must not start with "${userSubjectPrefix}" (reserved for users)` };
  }
  const isPublic = client.token_endpoint_auth_method === 'none';
  const needsSecret =
    client.token_endpoint_auth_method === 'client_secret_basic' ||
    client.token_endpoint_auth_method === 'client_secret_post';
  if (needsSecret && !client.client_secret) {
    return { field: 'client_secret', message: `is required for ${client.token_endpoint_auth_method}` };
  }
  if (!needsSecret && client.client_secret) {
    return { field: 'client_secret', message: `must be absent for ${client.token_endpoint_auth_method}` };
  }
  if (client.token_endpoint_auth_method === 'private_key_jwt' && !client.jwks?.keys.length) {
    return { field: 'jwks', message: 'is required for private_key_jwt (the public keys of the client)' };
  }
  if (isPublic && client.grant_types.includes('client_credentials')) {
    return { field: 'grant_types', message: 'client_credentials needs a confidential client' };
  }
  // RFC 8693 lets a client trade its tokens for new ones: only one that can keep a secret may.
  if (isPublic && client.grant_types.includes(tokenExchangeGrantType)) {
    return { field: 'grant_types', message: `${tokenExchangeGrantType} needs a confidential client` };
  }
  if (client.long_lived_tokens && !client.grant_types.includes(tokenExchangeGrantType)) {
    return { field: 'long_lived_tokens', message: `needs the ${tokenExchangeGrantType} grant` };
  }
  if (client.upstream_tokens.length > 0 && !client.grant_types.includes(tokenExchangeGrantType)) {
    return { field: 'upstream_tokens', message: `needs the ${tokenExchangeGrantType} grant` };
  }
  if (client.one_time_code_issuers.length > 0 && !client.grant_types.includes(oneTimeCodeGrantType)) {
    return { field: 'one_time_code_issuers', message: `needs the ${oneTimeCodeGrantType} grant` };
  }
  if (client.grant_types.includes('refresh_token') && !client.grant_types.includes('authorization_code')) {
    return { field: 'grant_types', message: 'refresh_token needs authorization_code' };
  }
  // The implicit grant and its response types come together or not at all (SECURITY.md §2: opt-in).
  const tokenResponseTypes = client.response_types.filter((type) => type !== 'code');
  if (tokenResponseTypes.length > 0 && !client.grant_types.includes('implicit')) {
    return { field: 'response_types', message: `${tokenResponseTypes.join(', ')} needs the implicit grant` };
  }
  if (client.grant_types.includes('implicit') && tokenResponseTypes.length === 0) {
    return { field: 'grant_types', message: 'implicit needs response_types token or id_token token' };
  }
  for (const grantType of ['authorization_code', 'implicit'] as const) {
    if (client.grant_types.includes(grantType) && client.redirect_uris.length === 0) {
      return { field: 'redirect_uris', message: `at least one is required for ${grantType}` };
    }
  }
  for (const field of ['redirect_uris', 'post_logout_redirect_uris'] as const) {
    for (const [i, uri] of client[field].entries()) {
      const message = checkRegisteredUri(uri);
      if (message) return { field: `${field}.${i}`, message };
    }
  }
  if (client.backchannel_logout_uri) {
    const message = checkRegisteredUri(client.backchannel_logout_uri);
    if (message) return { field: 'backchannel_logout_uri', message };
  }
  return undefined;
}

/** Why a URI may not be registered as a redirect target, or undefined when it may. */
export function checkRegisteredUri(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  if (uri.includes('#')) return 'must not contain a fragment';
  if (uri.includes('*')) return 'must not contain a wildcard';
  if (url.username || url.password) return 'must not contain user information';
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return 'must use https (plain http only on localhost)';
  return undefined;
}
