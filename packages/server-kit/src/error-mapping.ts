import { StoreClosedError, StoreInputError, StoreUnavailableError } from '@gatehouse/store';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ShuttingDownError } from './server-lifecycle.js';

/** How long a client is asked to wait (`Retry-After`, in seconds) while the store is down. */
export const storeRetryAfterSeconds = 5;

/** `Retry-After` of a request refused because the server is stopping: at once, on a new connection. */
export const shuttingDownRetryAfterSeconds = 1;

/**
 * A failure the shared mapping recognised, for the server to answer in its own style:
 * - `store-unavailable`: the store is down or closing; fail closed (nothing issued, no session
 *   accepted) with 503 and `Retry-After`.
 * - `bad-input`: the store refused a key or value built from the request (a control character, an
 *   over-long id): the request is malformed, whatever path let it past the parameter checks.
 * - `framework-refusal`: Fastify refused the request with a 4xx of its own (413 for a body over the
 *   limit, 415, a malformed body, a path the router cannot decode).
 * - `shutting-down`: the request arrived on an open connection after the listener closed
 *   (`ShuttingDownError`); 503 with `Retry-After` and `Connection: close`, so the client retries on
 *   a new connection, which reaches another instance.
 * - `unexpected`: anything else; a 500 whose body says nothing of the cause.
 */
export type ServerFailure =
  | { readonly kind: 'store-unavailable'; readonly status: 503; readonly retryAfterSeconds: number }
  | { readonly kind: 'shutting-down'; readonly status: 503; readonly retryAfterSeconds: number }
  | { readonly kind: 'bad-input'; readonly status: 400 }
  | { readonly kind: 'framework-refusal'; readonly status: number }
  | { readonly kind: 'unexpected'; readonly status: 500 };

/** Sorts anything thrown into a {@link ServerFailure}. */
export function classifyFailure(error: unknown): ServerFailure {
  if (error instanceof StoreUnavailableError || error instanceof StoreClosedError) {
    return { kind: 'store-unavailable', status: 503, retryAfterSeconds: storeRetryAfterSeconds };
  }
  if (error instanceof ShuttingDownError) {
    return { kind: 'shutting-down', status: 503, retryAfterSeconds: shuttingDownRetryAfterSeconds };
  }
  if (error instanceof StoreInputError) return { kind: 'bad-input', status: 400 };
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return { kind: 'framework-refusal', status };
  return { kind: 'unexpected', status: 500 };
}

/** What a server tells the shared mapping: its own errors, and how it renders the shared failures. */
export interface FailureAnswers {
  /**
   * Answers the server's own errors (an `OAuthError`, a provider outage, …), checked first; returns
   * `undefined` to leave `error` to the shared mapping.
   */
  answerOwn?: (error: unknown, request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined;
  /** Renders a shared failure in the style of the route (JSON, a page, a redirect). */
  render: (failure: ServerFailure, request: FastifyRequest, reply: FastifyReply) => FastifyReply;
}

export type ErrorHandler = (error: unknown, request: FastifyRequest, reply: FastifyReply) => FastifyReply;

/**
 * The error handler for a server: its own errors first, then {@link classifyFailure}, logged by the
 * error's type only (a message may quote the input; a stack names our files), then rendered.
 */
export function createErrorHandler(answers: FailureAnswers): ErrorHandler {
  return (error, request, reply) => {
    const own = answers.answerOwn?.(error, request, reply);
    if (own) return own;
    const failure = classifyFailure(error);
    const err = { type: errorType(error) };
    switch (failure.kind) {
      case 'store-unavailable':
        request.log.warn({ err }, 'store unavailable');
        reply.header('retry-after', String(failure.retryAfterSeconds));
        break;
      case 'shutting-down':
        // Expected for every late request of a stop: not worth a line each.
        reply.header('retry-after', String(failure.retryAfterSeconds)).header('connection', 'close');
        break;
      case 'bad-input':
        request.log.info({ err }, 'store refused request input');
        break;
      case 'framework-refusal':
        break;
      case 'unexpected':
        request.log.error({ err }, 'unexpected error');
        break;
    }
    return answers.render(failure, request, reply);
  };
}

function errorType(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
