import type { FastifyReply } from 'fastify';

/**
 * The JSON refusal every BFF API route uses: never a redirect, always `{ error, reason }`.
 * `error` is one of a few stable words; `reason` says which rule applied.
 */
export function sendApiError(
  reply: FastifyReply,
  status: 401 | 403 | 404 | 405 | 502 | 503 | 504,
  reason: string,
): FastifyReply {
  const error =
    status === 401
      ? 'unauthenticated'
      : status === 403
        ? 'forbidden'
        : status === 405
          ? 'method_not_allowed'
          : status >= 502
            ? 'unavailable'
            : 'not_found';
  return reply.code(status).header('cache-control', 'no-store').send({ error, reason });
}
