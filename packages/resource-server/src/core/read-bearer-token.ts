import { invalidRequest, missingToken } from './bearer-error.js';

/** Longer than any real access token; a bigger header is an attack or a mistake. */
const maxAuthorizationLength = 8192;
/** RFC 6750 §2.1: `Bearer` then one b64token. */
const bearerPattern = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The bearer token of a request's `Authorization` header (RFC 6750 §2.1). Tokens in the query string
 * (§2.3) are never accepted: one there is `invalid_request` (400), alone or next to a header ("more
 * than one method", §3.1). A malformed or oversized header is `invalid_request` too; no header at all
 * is the bare 401 challenge. Form-body tokens (§2.2) are never read, so they cannot compete.
 */
export function readBearerToken(authorization: string | string[] | undefined, hasQueryToken = false): string {
  if (hasQueryToken) {
    throw invalidRequest(
      authorization === undefined || authorization === ''
        ? 'access tokens are accepted in the Authorization header only, not in the query string'
        : 'the access token was sent in more than one place',
    );
  }
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

/**
 * Whether a parsed query value holds an `access_token` (RFC 6750 §2.3). An empty one counts as
 * absent; adapters pass what their framework parsed (a string, an array of them, or undefined).
 */
export function isTokenParameter(value: unknown): boolean {
  if (typeof value === 'string') return value !== '';
  if (Array.isArray(value)) return value.some(isTokenParameter);
  return value !== undefined && value !== null;
}
