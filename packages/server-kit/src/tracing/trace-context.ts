import {
  type Context,
  createTraceState,
  isSpanContextValid,
  type SpanContext,
  TraceFlags,
  trace,
} from '@opentelemetry/api';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/), spoken here rather than through the
 * global propagator, so a trace crosses BFF → AS → API whatever (or whether) the user registered one.
 */
export const traceparentHeader = 'traceparent';
export const tracestateHeader = 'tracestate';

// version-traceid-parentid-flags, lower-case hex (§3.2.2); a later version may append fields.
const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
/** §3.3.1.1: a tracestate longer than this may be dropped, and is. */
const maxTracestateLength = 512;

type HeaderValue = string | string[] | undefined;

/**
 * The remote span context a `traceparent` (and `tracestate`) names, or `undefined` when it is
 * absent, repeated or malformed (§3.2.2.2: version `ff`, an all-zero id, a version-00 header with
 * more fields).
 */
export function parseTraceparent(traceparent: HeaderValue, tracestate?: HeaderValue): SpanContext | undefined {
  if (typeof traceparent !== 'string') return undefined;
  const match = traceparentPattern.exec(traceparent.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  const spanContext: SpanContext = {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  if (!isSpanContextValid(spanContext)) return undefined;
  if (typeof tracestate === 'string' && tracestate.length <= maxTracestateLength) {
    spanContext.traceState = createTraceState(tracestate);
  }
  return spanContext;
}

/** `parent` continued from the request's trace context headers, or `parent` itself when they are unusable. */
export function extractTraceContext(parent: Context, headers: Record<string, HeaderValue>): Context {
  const remote = parseTraceparent(headers[traceparentHeader], headers[tracestateHeader]);
  return remote ? trace.setSpanContext(parent, remote) : parent;
}

/**
 * The trace context headers naming `spanContext` as the parent of the next hop; none for an invalid
 * one (no provider registered: nothing to continue).
 */
export function traceContextHeaders(spanContext: SpanContext): Record<string, string> {
  if (!isSpanContextValid(spanContext)) return {};
  const sampled = (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
  const headers: Record<string, string> = {
    [traceparentHeader]: `00-${spanContext.traceId}-${spanContext.spanId}-${sampled ? '01' : '00'}`,
  };
  const state = spanContext.traceState?.serialize();
  if (state) headers[tracestateHeader] = state;
  return headers;
}
