import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { createErrorHandler, type ErrorHandler, type FailureAnswers } from './error-mapping.js';
import { attachLifecycle } from './graceful-close.js';
import { type HttpMetricsOptions, registerHttpMetrics } from './http-metrics.js';
import { type LoggerOption, safeLoggerOptions } from './log-serializers.js';
import { chooseRequestId, requestIdHeader } from './request-id.js';
import type { ServerLifecycleOptions } from './server-lifecycle.js';
import { traceRequests } from './tracing/server-spans.js';
import type { Tracing } from './tracing/tracing.js';

/** Fastify options a server may set beside what this kit sets; see {@link createServer}. */
export type TunedServerOptions = Pick<
  FastifyServerOptions,
  'bodyLimit' | 'requestTimeout' | 'routerOptions' | 'trustProxy'
>;

export interface ServerOptions extends TunedServerOptions {
  /** `true`, pino options, or `false`: logged through {@link safeLoggerOptions}. */
  logger: LoggerOption;
  /** How this server answers failures; installed as the error handler. */
  failures: FailureAnswers;
  /**
   * Answers a request the router cannot take (a path it cannot decode). Default: the error handler
   * built from `failures`.
   */
  frameworkErrors?: ErrorHandler;
  /** Makes a request id when the caller sent no acceptable one. Default `crypto.randomUUID`. */
  createRequestId?: () => string;
  /** Readiness cache and check timeout of `app.lifecycle` (see `attachLifecycle`). Default 1 s and 2 s. */
  lifecycle?: ServerLifecycleOptions;
  /**
   * Counts and times every request into this registry (see {@link registerHttpMetrics}), the ones
   * the router refuses included. Default: none, and no hook installed.
   */
  httpMetrics?: HttpMetricsOptions;
  /** A SERVER span per request (see {@link traceRequests}). Default: none, and no hook installed. */
  tracing?: Tracing;
}

/** What both servers refuse unless they say otherwise: a body over 64 KiB, a request slower than 30 s. */
export const serverDefaults = Object.freeze({ bodyLimit: 64 * 1024, requestTimeout: 30_000 });

/**
 * A Fastify app with the plumbing both servers share: logs that hold no secret, a request id per
 * request (the caller's acceptable `X-Request-Id`, else a new one; echoed in the response's
 * `X-Request-Id` and logged as `reqId`), and one error mapping ({@link createErrorHandler}).
 *
 * @example
 * const app = createServer({ logger: false, failures: { render: (failure, _request, reply) =>
 *   sendJsonError(reply, failure.status, { error: 'failed' }) } });
 */
export function createServer(options: ServerOptions): FastifyInstance {
  const {
    logger,
    failures,
    frameworkErrors,
    createRequestId = randomUUID,
    tracing,
    httpMetrics,
    lifecycle,
    ...tuned
  } = options;
  const handleError = createErrorHandler(failures);
  const answerFrameworkError = frameworkErrors ?? handleError;
  const app = Fastify({
    ...serverDefaults,
    ...tuned,
    logger: safeLoggerOptions(logger),
    // Requests that arrive while the server closes are refused in the server's own style, with the
    // reason (see attachLifecycle), not with Fastify's generic 503.
    return503OnClosing: false,
    // Fastify would take the header as it came; we choose (see chooseRequestId).
    requestIdHeader: false,
    genReqId: (raw) => chooseRequestId(raw.headers[requestIdHeader], createRequestId),
    // Router errors come before any hook runs, so they echo the id themselves.
    frameworkErrors: (error, request, reply) => {
      // No onResponse hook runs for these either: count them as the answer leaves.
      if (recordAnswer) reply.raw.once('finish', () => recordAnswer(request, reply));
      return answerFrameworkError(error, request, echoRequestId(reply));
    },
  });
  // First, so the span covers every other hook.
  if (tracing) traceRequests(app, tracing);
  const recordAnswer = httpMetrics && registerHttpMetrics(app, httpMetrics);
  app.addHook('onRequest', (_request, reply, done) => {
    echoRequestId(reply);
    done();
  });
  // After the request id, so a refusal for shutting down carries it.
  attachLifecycle(app, lifecycle);
  app.setErrorHandler(handleError);
  return app;
}

function echoRequestId(reply: FastifyReply): FastifyReply {
  return reply.header(requestIdHeader, reply.request.id);
}
