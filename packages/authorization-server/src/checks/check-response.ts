import {
  isImplicitResponseType,
  normalizeResponseType,
  type ResponseMode,
  type ResponseType,
} from '../protocol/authorization-request.js';
import type { ClientMetadata, RegisteredClient } from '../protocol/client-metadata.js';
import { InvalidRequestError, UnauthorizedClientError, UnsupportedResponseTypeError } from '../protocol/errors.js';

/** Whether any of these clients registered the implicit grant (discovery advertises it only then). */
export function anyRegistersImplicit(clients: readonly Pick<ClientMetadata, 'grant_types'>[]): boolean {
  return clients.some((client) => client.grant_types.includes('implicit'));
}

/**
 * `response_type=code` for clients registered for the code grant; `token` or `id_token token` only
 * for clients that registered that type. When the server offers implicit to no client at all, the
 * token types are `unsupported_response_type`, as any unknown type; when it does, a client that did
 * not register one gets `unauthorized_client` (RFC 6749 §4.2.2.1).
 */
export function checkResponseType(
  responseType: string | undefined,
  client: RegisteredClient,
  implicitOffered: boolean,
): ResponseType {
  const normalized = normalizeResponseType(responseType);
  if (normalized === undefined || normalized === '') throw new InvalidRequestError('response_type is required');
  if (isImplicitResponseType(normalized) && implicitOffered) {
    if (!client.response_types.includes(normalized) || !client.grant_types.includes('implicit')) {
      throw new UnauthorizedClientError(`this client may not use response_type ${normalized}`);
    }
    return normalized;
  }
  if (normalized !== 'code') throw new UnsupportedResponseTypeError(`response_type ${normalized} is not supported`);
  if (!client.response_types.includes('code') || !client.grant_types.includes('authorization_code')) {
    throw new UnauthorizedClientError('this client may not use the authorization code flow');
  }
  return 'code';
}

/** `query` (the default for `code`), `fragment` or `form_post`; anything else is undefined (invalid). */
export function checkResponseMode(mode: string | undefined): ResponseMode | undefined {
  if (mode === undefined) return 'query';
  return mode === 'query' || mode === 'fragment' || mode === 'form_post' ? mode : undefined;
}
