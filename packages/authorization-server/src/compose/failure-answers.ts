import type { FailureAnswers, ServerFailure } from '@gatehouse/server-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendErrorPage } from '../http/error-page-reply.js';
import type { FailureStyle } from '../http/failure-style.js';
import { sendOAuthError } from '../http/oauth-reply.js';
import {
  InvalidRequestError,
  MalformedRequestError,
  OAuthError,
  PageError,
  ServerError,
  TemporarilyUnavailableError,
} from '../protocol/errors.js';
import type { RouteFailureStyles } from './route-failure-styles.js';

/**
 * The failure style of a request: what its route declared (`config.failure`, default `page`); for
 * a request no route took (a wrong method, an unknown or undecodable path), what the routes at its
 * path declared (see {@link RouteFailureStyles.styleFor}).
 */
export function failureStyleOf(request: FastifyRequest, styles: RouteFailureStyles): FailureStyle {
  if (request.routeOptions.url === undefined) return styles.styleFor(request.url);
  return request.routeOptions.config.failure ?? 'page';
}

/** Answers `error` in the request's failure style: OAuth JSON, or an HTML page naming its code. */
export function sendInFailureStyle(
  request: FastifyRequest,
  reply: FastifyReply,
  error: OAuthError,
  styles: RouteFailureStyles,
): FastifyReply {
  if (failureStyleOf(request, styles) === 'json') return sendOAuthError(reply, error);
  const title = error.status === 503 ? 'Temporarily unavailable' : 'Invalid request';
  return sendErrorPage(reply, error.status, title, error.description, error.code);
}

/** The authorization server's answers for the shared error mapping (`@gatehouse/server-kit`). */
export function authorizationServerFailures(styles: RouteFailureStyles): FailureAnswers {
  return {
    answerOwn(error, request, reply) {
      if (error instanceof PageError) return sendErrorPage(reply, error.status, error.title, error.message, error.code);
      if (error instanceof OAuthError) return sendInFailureStyle(request, reply, error, styles);
      return undefined;
    },
    render: (failure, request, reply) => sendInFailureStyle(request, reply, toOAuthError(failure), styles),
  };
}

/** The OAuth error a shared failure is told as; `server_error` says nothing of its cause. */
function toOAuthError(failure: ServerFailure): OAuthError {
  switch (failure.kind) {
    case 'store-unavailable':
      return new TemporarilyUnavailableError('the service is temporarily unavailable; try again');
    case 'shutting-down':
      return new TemporarilyUnavailableError('the server is restarting; try again');
    case 'bad-input':
      return new InvalidRequestError('the request is malformed');
    case 'framework-refusal': {
      const description = failure.status === 413 ? 'the request body is too large' : 'the request is malformed';
      return new MalformedRequestError(failure.status, description);
    }
    case 'unexpected':
      return new ServerError('the request could not be completed');
  }
}
