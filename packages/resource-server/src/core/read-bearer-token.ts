import { invalidRequest, missingToken } from './bearer-error.js';

/** Longer than any real access token; a bigger header is an attack or a mistake. */
const maxAuthorizationLength = 8192;
/** RFC 6750 §2.1: `Bearer` then one b64token. */
const bearerPattern = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The bearer token of a request's `Authorization` header (RFC 6750 §2.1). Tokens in the query string
 * or body are never read. A malformed or oversized header is `invalid_request` (400); no header at all
 * is the bare 401 challenge.
 */
export function readBearerToken(authorization: string | string[] | undefined): string {
  if (authorization === undefined || authorization === '') throw missingToken();
  if (Array.isArray(authorization)) throw invalidRequest('the Authorization header must be sent once');
  if (authorization.length > maxAuthorizationLength) throw invalidRequest('the Authorization header is too long');
  const match = bearerPattern.exec(authorization);
  if (!match) {
    // Another scheme (Basic, DPoP, …) means no bearer token was offered here.
    if (!/^bearer\b/i.test(authorization)) throw missingToken();
    throw invalidRequest('the Authorization header is not a valid Bearer credential');
  }
  return match[1] as string;
}
