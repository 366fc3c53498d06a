import type { FastifyReply } from 'fastify';

/**
 * The JSON body of every error either server answers with. `error` is a stable word clients branch
 * on; the rest explains it without a stack, a file path or an input echoed back.
 *
 * @example
 * { "error": "invalid_request", "error_description": "the request is malformed" } // the AS (RFC 6749 §5.2)
 * { "error": "unavailable", "reason": "store_unavailable" }                       // the BFF
 */
export interface JsonErrorBody {
  /** A stable word (`invalid_request`, `server_error`, `not_found`, …); never prose. */
  readonly error: string;
  /** The authorization server's sentence for people (RFC 6749 §5.2 `error_description`). */
  readonly error_description?: string;
  /** The BFF's word for the rule that applied (`store_unavailable`, `malformed_request`, …). */
  readonly reason?: string;
}

/** Sends `body` with `status`, never cached (`Cache-Control: no-store`): an error is about this request only. */
export function sendJsonError(reply: FastifyReply, status: number, body: JsonErrorBody): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').send(body);
}
