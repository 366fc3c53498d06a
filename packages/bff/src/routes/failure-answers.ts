import { ProviderUnavailableError, TokenEndpointError } from '@gatehouse/oidc-client';
import { type FailureAnswers, type ServerFailure, sendJsonError } from '@gatehouse/server-kit';
import type { FastifyReply } from 'fastify';
import { RequestBodyTooLargeError } from '../proxy/request-body-limit.js';
import { RefreshUnavailableError } from '../refresh/refresh-unavailable.js';
import { routeGuardOf } from '../request-guard/route-guard.js';
import { serializeClearedSessionCookie } from '../session/session-cookie.js';
import { SessionExpiredError } from '../session/session-store.js';
import { sendApiError } from './api-error.js';
import { sendLoginFailed } from './login-failed.js';

/**
 * The BFF's answers for the shared error mapping (`@gatehouse/server-kit`), in the failure style
 * its route declared (`config.guard.failureStyle`): JSON `{ error, reason }` for `api` routes; for
 * sign-in navigations, the SPA's login-failed route, like any other failed login — never a JSON
 * body in the address bar.
 */
export function bffFailures(loginFailedPath: string): FailureAnswers {
  const loginFailed = (reply: FastifyReply, code: 'temporarily_unavailable' | 'server_error') =>
    sendLoginFailed(reply, loginFailedPath, code);
  return {
    answerOwn(error, request, reply) {
      if (routeGuardOf(request)?.failureStyle === 'navigation') {
        return error instanceof ProviderUnavailableError ? loginFailed(reply, 'temporarily_unavailable') : undefined;
      }
      // A proxied body over maxRequestBodyBytes; the connection closes rather than read the rest.
      if (error instanceof RequestBodyTooLargeError) {
        return sendApiError(reply.header('connection', 'close'), 413, 'request_body_too_large');
      }
      // A session whose tokens can no longer be opened (its key rotated out) was ended where that was found.
      if (error instanceof SessionExpiredError) {
        return sendApiError(reply.header('set-cookie', serializeClearedSessionCookie()), 401, 'session_expired');
      }
      // A refresh that failed for a transient reason: the session stays, the browser tries again.
      if (error instanceof RefreshUnavailableError) {
        request.log.warn({ reason: error.reason }, 'token refresh unavailable; session kept');
        return sendApiError(reply.header('retry-after', String(error.retryAfterSeconds)), error.status, error.reason);
      }
      // The provider down or refusing the BFF itself (not the user): a gateway failure, not a sign-out.
      if (error instanceof ProviderUnavailableError) return sendApiError(reply, 502, 'provider_unavailable');
      if (error instanceof TokenEndpointError) {
        request.log.warn({ oauthError: error.oauthError, status: error.status }, 'token request refused');
        return sendApiError(reply, 502, 'token_request_failed');
      }
      return undefined;
    },
    render(failure, request, reply) {
      if (routeGuardOf(request)?.failureStyle === 'navigation') {
        const transient = failure.kind === 'store-unavailable' || failure.kind === 'shutting-down';
        return loginFailed(reply, transient ? 'temporarily_unavailable' : 'server_error');
      }
      return sendApiFailure(reply, failure);
    },
  };
}

/** How soon the browser may ask again while the store is unreachable. */
const storeRetryAfterSeconds = 5;

function sendApiFailure(reply: FastifyReply, failure: ServerFailure): FastifyReply {
  switch (failure.kind) {
    // Store down (or closing for shutdown): fail closed, no session accepted.
    // Retry-After lets the SPA back off and ask again (the SDK's BffUnavailableError) rather than
    // take the outage for a sign-out.
    case 'store-unavailable':
      return sendApiError(reply.header('retry-after', String(storeRetryAfterSeconds)), 503, 'store_unavailable');
    // A request that came on an open connection as the BFF stopped: try again (Retry-After is set).
    case 'shutting-down':
      return sendApiError(reply, 503, 'shutting_down');
    case 'bad-input':
    case 'framework-refusal':
      return sendJsonError(reply, failure.status, { error: 'invalid_request', reason: 'malformed_request' });
    case 'unexpected':
      return sendJsonError(reply, 500, { error: 'server_error', reason: 'unexpected' });
  }
}
