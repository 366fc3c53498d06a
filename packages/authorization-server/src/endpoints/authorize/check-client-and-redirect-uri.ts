import type { Params } from '../../primitives/params.js';
import type { RegisteredClient } from '../../protocol/client-metadata.js';
import { PageError } from '../../protocol/errors.js';
import type { ClientRegistry } from '../../stores/client-registry.js';

/**
 * The first check, before anything may be sent to the client: a known `client_id`, and a
 * `redirect_uri` equal, byte for byte, to one it registered (RFC 9700 §4.1.3) — no normalising of
 * case, trailing slashes, default ports or encodings. A missing `redirect_uri` is allowed only when
 * exactly one is registered and the request is not OpenID (OpenID requires it). Failures are pages.
 */
export async function checkClientAndRedirectUri(
  clients: Pick<ClientRegistry, 'find'>,
  params: Params,
): Promise<{ client: RegisteredClient; redirectUri: string }> {
  if (params.isUnreadable('client_id') || params.isUnreadable('redirect_uri')) {
    throw new PageError(
      400,
      'Invalid request',
      'The request names its client or redirect address more than once, or in a form that cannot be read.',
      'invalid_request',
    );
  }
  const clientId = params.get('client_id');
  if (!clientId)
    throw new PageError(
      400,
      'Invalid request',
      'The request does not say which application it is from.',
      'invalid_request',
    );
  const client = await clients.find(clientId);
  if (!client)
    throw new PageError(
      400,
      'Unknown application',
      'The application that sent you here is not registered with this provider.',
      'invalid_client',
    );
  const offered = params.get('redirect_uri');
  if (offered === undefined) {
    const isOpenId = params.isUnreadable('scope') ? false : (params.get('scope') ?? '').split(' ').includes('openid');
    if (client.redirect_uris.length === 1 && !isOpenId)
      return { client, redirectUri: client.redirect_uris[0] as string };
    throw new PageError(400, 'Invalid request', 'The request does not say where to return to.', 'invalid_request');
  }
  if (!client.redirect_uris.includes(offered)) {
    throw new PageError(
      400,
      'Invalid redirect address',
      'The application asked to return to an address it has not registered, so you are not sent there.',
      'invalid_request',
    );
  }
  return { client, redirectUri: offered };
}
