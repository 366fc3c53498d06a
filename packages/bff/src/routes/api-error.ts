import { sendJsonError } from '@gatehouse/server-kit';
import type { FastifyReply } from 'fastify';

/**
 * The JSON refusal every BFF API route uses: never a redirect, always `{ error, reason }`.
 * `error` is one of a few stable words; `reason` says which rule applied.
 */
export function sendApiError(reply: FastifyReply, status: ApiErrorStatus, reason: string): FastifyReply {
  return sendJsonError(reply, status, { error: apiErrors[status], reason });
}

/** The statuses BFF API routes refuse with, and the stable `error` word of each. */
const apiErrors = {
  400: 'invalid_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  429: 'too_many_requests',
  502: 'unavailable',
  503: 'unavailable',
  504: 'unavailable',
} as const;

export type ApiErrorStatus = keyof typeof apiErrors;

/**
 * The refusal of a call that needed the user's upstream token (`upstream:<name>` routes, the
 * token-mediating endpoint): 401 when the session is over; 403 `upstream_consent_required` when the
 * user must (re)connect the upstream account at the authorization server — the SPA sends them to
 * its profile page; 502 `upstream_not_allowed` when the authorization server refuses this client that
 * upstream (a registration mismatch); 503 when the upstream is down.
 */
export function sendUpstreamError(
  reply: FastifyReply,
  failure:
    | { kind: 'ended'; reason: string }
    | { kind: 'refused'; reason: 'consent_required' | 'not_allowed' | 'unavailable' },
  upstream: string,
): FastifyReply {
  if (failure.kind === 'ended') return sendApiError(reply, 401, failure.reason);
  if (failure.reason === 'not_allowed') {
    reply.log.warn(
      { upstream },
      'the authorization server refuses this client the upstream token: register the client with the token-exchange grant and upstream_tokens',
    );
  }
  reply.code(failure.reason === 'consent_required' ? 403 : failure.reason === 'not_allowed' ? 502 : 503);
  const body =
    failure.reason === 'consent_required'
      ? { error: 'upstream_consent_required', reason: 'no_upstream_grant', upstream }
      : failure.reason === 'not_allowed'
        ? { error: 'upstream_not_allowed', reason: 'client_not_allowed', upstream }
        : { error: 'unavailable', reason: 'upstream_unavailable', upstream };
  return reply.header('cache-control', 'no-store').send(body);
}
