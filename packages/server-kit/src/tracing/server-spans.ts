import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { extractTraceContext } from './trace-context.js';
import type { Tracing } from './tracing.js';

/** Methods reported as they are; any other becomes `_OTHER`, so a span name cannot be made up by a caller. */
const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE']);

/** The one server span of each request, ended once (at the response, or when the connection closes first). */
interface RequestSpan {
  span: Span;
  ended: boolean;
}

/**
 * One SERVER span per request, named `METHOD route-pattern` (`GET /bff/user`, `GET /api/*`; just the
 * method when no route matched), with `http.request.method`, `http.route`, `url.path` (the path
 * only: never the query, which may hold a code or an `id_token_hint`) and
 * `http.response.status_code`. Nothing else of the request is recorded: no header, cookie or body.
 *
 * The span is the active context for the rest of the request — hooks, body parsing, the handler —
 * so store calls and outgoing calls made for it become its children.
 */
export function traceRequests(app: FastifyInstance, tracing: Tracing): void {
  const spans = new WeakMap<FastifyRequest, RequestSpan>();

  app.addHook('onRequest', (request, reply, done) => {
    const active = context.active();
    // A stranger's traceparent would pin the trace id and force sampling: continued only when trusted.
    const parent = tracing.trustIncomingTraceContext ? extractTraceContext(active, request.headers) : active;
    const method = knownMethods.has(request.method) ? request.method : '_OTHER';
    const route = request.routeOptions.url;
    const span = tracing.tracer.startSpan(
      route === undefined ? method : `${method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': method,
          'url.path': request.url.split('?', 1)[0],
          ...(route !== undefined && { 'http.route': route }),
        },
      },
      parent,
    );
    const state: RequestSpan = { span, ended: false };
    spans.set(request, state);
    // A connection closed before the answer was complete: end the span anyway, marked as such.
    reply.raw.once('close', () => {
      if (!state.ended) endSpan(state, reply.raw.headersSent ? reply.statusCode : undefined, 'aborted');
    });
    const traced = trace.setSpan(parent, span);
    // Body chunks arrive as events of the raw request: bound, so parsing (and what follows) stays in the span.
    context.bind(traced, request.raw);
    context.with(traced, done);
  });

  app.addHook('onResponse', (request, reply, done) => {
    const state = spans.get(request);
    if (state && !state.ended) endSpan(state, reply.statusCode);
    done();
  });
}

function endSpan(state: RequestSpan, status: number | undefined, errorType?: string): void {
  state.ended = true;
  const { span } = state;
  if (status !== undefined) span.setAttribute('http.response.status_code', status);
  // A server's 4xx is the caller's doing; only 5xx (or an unfinished answer) is its own failure.
  const failure = errorType ?? (status !== undefined && status >= 500 ? String(status) : undefined);
  if (failure !== undefined) {
    span.setAttribute('error.type', failure);
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}
