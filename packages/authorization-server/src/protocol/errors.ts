/**
 * An OAuth 2.0 / OpenID Connect error as it goes on the wire: `code` is the registered error code,
 * `description` the public `error_description` (RFC charset, no secrets), `detail` a log-only note.
 * One subclass per wire code, so callers and tests tell errors apart by class, never by text.
 */
export class OAuthError extends Error {
  readonly code: string;
  readonly status: number;
  readonly detail: string | undefined;

  constructor(code: string, status: number, description: string, detail?: string) {
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

const define = (code: string, status: number) =>
  class extends OAuthError {
    constructor(description: string, detail?: string) {
      super(code, status, description, detail);
    }
  };

export class InvalidRequestError extends define('invalid_request', 400) {}
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
/** Too many failures; `retryAfterSeconds` goes into `Retry-After`. */
export class SlowDownError extends OAuthError {
  readonly retryAfterSeconds: number;
  constructor(code: string, description: string, retryAfterSeconds: number) {
    super(code, 429, description);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
export class TemporarilyUnavailableError extends define('temporarily_unavailable', 503) {}

/**
 * A failure shown to the user as an HTML error page instead of being redirected: an unknown client
 * or an unregistered `redirect_uri` must never receive a response (SECURITY.md §2).
 */
export class PageError extends Error {
  readonly status: number;
  readonly title: string;
  readonly code: string | undefined;
  constructor(status: number, title: string, message: string, code?: string) {
    super(message);
    this.name = 'PageError';
    this.status = status;
    this.title = title;
    this.code = code;
  }
}
