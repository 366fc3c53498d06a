import { type Context, context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { traceContextHeaders } from './trace-context.js';
import type { Tracing } from './tracing.js';

/** An outgoing call's CLIENT span, with the headers that carry it to the callee. */
export interface ClientSpan {
  /** `traceparent` (and `tracestate`) naming this span: set them on the outgoing request. */
  readonly headers: Readonly<Record<string, string>>;
  /** The active context inside the call (this span as the current one). */
  readonly context: Context;
  /** The callee answered with `status`; ends the span. 4xx and 5xx mark it failed, as a client sees them. */
  answered(status: number): void;
  /** No answer (`timeout`, `TypeError` for a refused connection…); ends the span. */
  failed(errorType: string): void;
}

/**
 * Starts a CLIENT span `METHOD` for a call to `url`, a child of the active context, with
 * `http.request.method`, `server.address`, `server.port` and `url.full` — the URL without its query
 * or credentials (a query may hold an `appsecret_proof`). Ending more than once is ignored.
 */
export function startClientSpan(tracing: Tracing, method: string, url: URL): ClientSpan {
  const active = context.active();
  const span = tracing.tracer.startSpan(
    method,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': method,
        'server.address': url.hostname,
        'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
        'url.full': `${url.origin}${url.pathname}`,
      },
    },
    active,
  );
  let ended = false;
  return {
    headers: traceContextHeaders(span.spanContext()),
    context: trace.setSpan(active, span),
    answered(status) {
      if (ended) return;
      ended = true;
      span.setAttribute('http.response.status_code', status);
      if (status >= 400) {
        span.setAttribute('error.type', String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
    failed(errorType) {
      if (ended) return;
      ended = true;
      span.setAttribute('error.type', errorType);
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}

/**
 * `fetchImpl` with a CLIENT span around each call and the trace context sent along, so the callee
 * (the AS behind a BFF, a provider that traces) continues the trace. The span ends when the answer's
 * headers arrive. The error's message is never recorded, only its name.
 *
 * @example
 * const fetchImpl = tracing ? traceFetch(deps.fetch ?? fetch, tracing) : (deps.fetch ?? fetch);
 */
export function traceFetch(fetchImpl: typeof fetch, tracing: Tracing): typeof fetch {
  return async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const url = parseUrl(request ? request.url : input instanceof URL ? input.href : String(input));
    // Not a URL: the real fetch refuses it as it always did.
    if (!url) return fetchImpl(input, init);
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    const span = startClientSpan(tracing, method, url);
    const headers = new Headers(init?.headers ?? request?.headers);
    for (const [name, value] of Object.entries(span.headers)) headers.set(name, value);
    try {
      const response = await context.with(span.context, () => fetchImpl(input, { ...init, headers }));
      span.answered(response.status);
      return response;
    } catch (error) {
      span.failed(error instanceof Error ? error.name : '_OTHER');
      throw error;
    }
  };
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
