import { secretsEqual } from './constant-time.js';
import { InvalidClientError, InvalidRequestError } from './errors.js';
import type { SocialClient } from './options.js';
import { decodeFormComponent, type Params } from './params.js';

/**
 * Authenticates the client at the token endpoint (RFC 6749 §2.3.1): `client_secret_basic` or
 * `client_secret_post`, exactly one of them. Any failure is `invalid_client`.
 */
export function authenticateClient(
  clients: ReadonlyMap<string, SocialClient>,
  authorization: string | undefined,
  params: Params,
): SocialClient {
  const basic = authorization === undefined ? undefined : parseBasic(authorization);
  const postedSecret = params.get('client_secret');
  if (basic && postedSecret !== undefined) throw new InvalidRequestError('use one client authentication method');
  const bodyId = params.get('client_id');
  if (basic && bodyId !== undefined && bodyId !== basic.clientId)
    throw new InvalidRequestError('client_id does not match the credentials');
  const clientId = basic?.clientId ?? bodyId;
  const secret = basic?.secret ?? postedSecret;
  const client = clientId === undefined ? undefined : clients.get(clientId);
  if (!client || secret === undefined || !secretsEqual(secret, client.clientSecret))
    throw new InvalidClientError('client authentication failed');
  return client;
}

/**
 * `Authorization: Basic` with the id and the secret each form-urlencoded before base64 (RFC 6749
 * §2.3.1), so secrets with `:`, `+` or `%` survive. Anything else in the header is `invalid_client`.
 */
function parseBasic(authorization: string): { clientId: string; secret: string } {
  const match = /^basic +([A-Za-z0-9+/]+=*) *$/i.exec(authorization);
  const decoded = match ? Buffer.from(match[1] as string, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const clientId = decodeFormComponent(decoded.slice(0, Math.max(colon, 0)));
  const secret = decodeFormComponent(decoded.slice(colon + 1));
  if (colon < 1 || !clientId || secret === undefined) throw new InvalidClientError('malformed Basic credentials');
  return { clientId, secret };
}
