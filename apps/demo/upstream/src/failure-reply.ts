import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  InvalidClientError,
  InvalidRequestError,
  InvalidTokenError,
  OAuthError,
  PageError,
  RequestTooLargeError,
  ServerError,
} from './errors.js';
import { renderErrorPage, sendPage } from './views/pages.js';

/** Every failure's answer: a page where the user is (authorize), OAuth JSON everywhere else; never a stack trace. */
export function answerFailure(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof PageError) return sendPage(reply, error.status, renderErrorPage(error.title, error.message));
  return sendOAuthError(request, reply, toOAuthError(error, request));
}

/** Untrusted input becomes an OAuth error; anything else is a bug, answered without detail. */
function toOAuthError(error: unknown, request: FastifyRequest): OAuthError {
  if (error instanceof OAuthError) return error;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (status === 413) return new RequestTooLargeError('the request body is too large');
  if (typeof status === 'number' && status >= 400 && status < 500)
    return new InvalidRequestError('the request is malformed');
  request.log.error({ err: error }, 'unexpected error');
  return new ServerError('the request could not be completed');
}

/** RFC 6749 §5.2 and RFC 6750 §3: the error as JSON, with the challenge its status calls for. */
function sendOAuthError(request: FastifyRequest, reply: FastifyReply, error: OAuthError): FastifyReply {
  if (error instanceof InvalidClientError && request.headers.authorization !== undefined)
    reply.header('www-authenticate', 'Basic realm="example-social"');
  if (error instanceof InvalidTokenError)
    reply.header(
      'www-authenticate',
      `Bearer realm="example-social", error="${error.code}", error_description="${error.description}"`,
    );
  return reply
    .code(error.status)
    .header('cache-control', 'no-store')
    .send({ error: error.code, error_description: error.description });
}
