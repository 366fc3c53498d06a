import type { JsonErrorBody } from '@gatehouse/server-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError, ServerError, SlowDownError } from '../protocol/errors.js';
import { usedBasic } from '../services/clients/authenticate-client.js';

/** Headers every token-endpoint-style JSON answer carries (RFC 6749 §5.1). */
export function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}

/**
 * Sends an OAuth error as JSON (RFC 6749 §5.2): `error`, `error_description`, no-store. `basic` adds
 * `WWW-Authenticate: Basic` to a 401, for clients that tried Basic authentication.
 */
export function sendOAuthError(reply: FastifyReply, error: OAuthError, options: { basic?: boolean } = {}) {
  noStore(reply).code(error.status).type('application/json; charset=utf-8');
  if (error.status === 401 && error.code === 'invalid_client') {
    reply.header('www-authenticate', options.basic ? 'Basic realm="token", charset="UTF-8"' : 'Basic realm="token"');
  }
  if (error instanceof SlowDownError) reply.header('retry-after', String(error.retryAfterSeconds));
  return reply.send({ error: error.code, error_description: error.description } satisfies JsonErrorBody);
}

/** Maps anything thrown by an OAuth JSON endpoint to its answer; unknown failures become `server_error` without detail. */
export function toOAuthError(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  return new ServerError('the request could not be completed');
}

/**
 * The catch of a client-authenticated JSON endpoint (token, revocation, introspection, one-time
 * code): its OAuth error, with the log-only detail logged; anything unexpected is rethrown for the
 * app's error handler.
 */
export function answerOAuthFailure(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const oauthError = toOAuthError(error);
  if (oauthError.code === 'server_error') throw error;
  if (oauthError.detail) request.log.info({ error: oauthError.code, detail: oauthError.detail }, 'request refused');
  return sendOAuthError(reply, oauthError, { basic: usedBasic(request.headers.authorization) });
}
