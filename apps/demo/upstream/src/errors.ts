export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'invalid_scope'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_token'
  | 'invalid_appsecret_proof'
  | 'server_error';

/**
 * An OAuth 2.0 error as it goes on the wire (RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3.1). `description`
 * is public: fixed text, never an echo of the request.
 */
export abstract class OAuthError extends Error {
  abstract readonly code: OAuthErrorCode;
  abstract readonly status: number;
  constructor(readonly description: string) {
    super(description);
  }
}

/** One subclass per wire code and status, so code and tests tell errors apart by class, never by text. */
function define<Code extends OAuthErrorCode>(code: Code, status: number) {
  return class extends OAuthError {
    readonly code = code;
    readonly status = status;
  };
}

export class InvalidRequestError extends define('invalid_request', 400) {}
/** A body over the size limit: still `invalid_request`, with the status that says why. */
export class RequestTooLargeError extends define('invalid_request', 413) {}
/** RFC 6749 §5.2: 401, plus `WWW-Authenticate: Basic` when the client sent an Authorization header. */
export class InvalidClientError extends define('invalid_client', 401) {}
export class InvalidGrantError extends define('invalid_grant', 400) {}
export class InvalidScopeError extends define('invalid_scope', 400) {}
export class UnsupportedGrantTypeError extends define('unsupported_grant_type', 400) {}
export class UnsupportedResponseTypeError extends define('unsupported_response_type', 400) {}
/** RFC 6750 §3.1: unknown, expired or revoked; answered with a `Bearer` challenge. */
export class InvalidTokenError extends define('invalid_token', 401) {}
/** Graph-style: the token is fine but the call does not prove it comes from the app that owns it. */
export class InvalidAppsecretProofError extends define('invalid_appsecret_proof', 403) {}
export class ServerError extends define('server_error', 500) {}

/**
 * A failure shown as an HTML page instead of a redirect: an unknown client or an unregistered
 * redirect_uri must never receive a response (RFC 6749 §4.1.2.1), and an expired consent form has
 * nowhere left to go.
 */
export class PageError extends Error {
  readonly status = 400;
  constructor(
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}
