import type { RegisteredClient } from '../../clients/client-registry.js';
import { InvalidRequestError, UnauthorizedClientError, UnsupportedResponseTypeError } from '../../errors.js';
import type { ResponseMode } from './authorization-request.js';

/** `response_type=code` only, and only for clients registered for the code grant. */
export function checkResponseType(responseType: string | undefined, client: RegisteredClient): void {
  if (responseType === undefined) throw new InvalidRequestError('response_type is required');
  if (responseType !== 'code') throw new UnsupportedResponseTypeError(`response_type ${responseType} is not supported`);
  if (!client.response_types.includes('code') || !client.grant_types.includes('authorization_code')) {
    throw new UnauthorizedClientError('this client may not use the authorization code flow');
  }
}

/** `query` (the default for `code`), `fragment` or `form_post`; anything else is undefined (invalid). */
export function checkResponseMode(mode: string | undefined): ResponseMode | undefined {
  if (mode === undefined) return 'query';
  return mode === 'query' || mode === 'fragment' || mode === 'form_post' ? mode : undefined;
}
