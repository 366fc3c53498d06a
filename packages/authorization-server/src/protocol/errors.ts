/**
 * The error codes this provider puts on the wire: RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1, RFC 7009
 * §2.2.1, RFC 8707 §2, RFC 8693 and OpenID Core §3.1.2.6, plus `server_error` and `temporarily_unavailable`.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'access_denied'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  | 'unsupported_token_type'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'server_error'
  | 'temporarily_unavailable';

/**
 * An OAuth 2.0 / OpenID Connect error as it goes on the wire: `code` is the registered error code,
 * `description` the public `error_description` (RFC charset, no secrets), `detail` a log-only note.
 * One subclass per wire code (and status), so callers and tests tell errors apart by class, never by
 * text; build errors through them, not through this base class.
 */
export abstract class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly status: number;
  readonly detail: string | undefined;

  constructor(code: OAuthErrorCode, status: number, description: string, detail?: string) {
    super(description);
    this.name = 'OAuthError';
    this.code = code;
    this.status = status;
    this.detail = detail;
  }

  get description(): string {
    return this.message;
  }
}

const define = (code: OAuthErrorCode, status: number) =>
  class extends OAuthError {
    constructor(description: string, detail?: string) {
      super(code, status, description, detail);
    }
  };

export class InvalidRequestError extends define('invalid_request', 400) {}
/** A method the route does not serve; the answer carries `Allow`. */
export class MethodNotAllowedError extends define('invalid_request', 405) {}
/** A request the HTTP layer refused before any endpoint read it (malformed, too large, …), with its 4xx status. */
export class MalformedRequestError extends OAuthError {
  constructor(status: number, description: string) {
    super('invalid_request', status, description);
  }
}
/** 401; the token endpoint adds `WWW-Authenticate: Basic` when the client used Basic. */
export class InvalidClientError extends define('invalid_client', 401) {}
export class InvalidGrantError extends define('invalid_grant', 400) {}
export class UnauthorizedClientError extends define('unauthorized_client', 400) {}
export class UnsupportedGrantTypeError extends define('unsupported_grant_type', 400) {}
export class UnsupportedResponseTypeError extends define('unsupported_response_type', 400) {}
export class InvalidScopeError extends define('invalid_scope', 400) {}
export class InvalidTargetError extends define('invalid_target', 400) {}
export class AccessDeniedError extends define('access_denied', 400) {}
export class LoginRequiredError extends define('login_required', 400) {}
export class ConsentRequiredError extends define('consent_required', 400) {}
export class InteractionRequiredError extends define('interaction_required', 400) {}
export class RequestNotSupportedError extends define('request_not_supported', 400) {}
export class RequestUriNotSupportedError extends define('request_uri_not_supported', 400) {}
export class UnsupportedTokenTypeError extends define('unsupported_token_type', 400) {}
/** RFC 6750: the bearer token is missing its meaning (expired, revoked, malformed, not ours). */
export class InvalidTokenError extends define('invalid_token', 401) {}
export class InsufficientScopeError extends define('insufficient_scope', 403) {}
/** Too many failed client authentications: 429 `invalid_client`; `retryAfterSeconds` goes into `Retry-After`. */
export class SlowDownError extends OAuthError {
  readonly retryAfterSeconds: number;
  constructor(description: string, retryAfterSeconds: number) {
    super('invalid_client', 429, description);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
/** Anything unexpected: the answer says nothing of what failed. */
export class ServerError extends define('server_error', 500) {}
export class TemporarilyUnavailableError extends define('temporarily_unavailable', 503) {}

/**
 * A failure shown to the user as an HTML error page instead of being redirected: an unknown client
 * or an unregistered `redirect_uri` must never receive a response (SECURITY.md §2).
 */
export class PageError extends Error {
  readonly status: number;
  readonly title: string;
  readonly code: OAuthErrorCode | undefined;
  constructor(status: number, title: string, message: string, code?: OAuthErrorCode) {
    super(message);
    this.name = 'PageError';
    this.status = status;
    this.title = title;
    this.code = code;
  }
}
