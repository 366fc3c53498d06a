import { type Tracer, type TracerProvider, trace } from '@opentelemetry/api';
import type { TracingConfig } from './tracing-config.js';

/**
 * What a server traces with when tracing is on. Made once at start by {@link createTracing}; a
 * server whose tracing is off has none, and then installs no hook at all.
 */
export interface Tracing {
  readonly tracer: Tracer;
  /**
   * Whether a request's `traceparent` continues the caller's trace. Off, every request starts a
   * trace of its own: a stranger can neither choose the trace id nor force sampling.
   */
  readonly trustIncomingTraceContext: boolean;
}

export interface TracingOptions {
  /** The instrumentation scope spans are reported under, e.g. `@gatehouse/bff`. */
  name: string;
  /**
   * Where spans go. Default: the global provider (`trace.getTracerProvider()`), which is a no-op until
   * the user registers one — e.g. `node --import ./tracing.js`, before or after the server starts.
   */
  provider?: TracerProvider;
}

/**
 * The server's {@link Tracing} when `config.enabled`, else `undefined`. Gatehouse only uses
 * `@opentelemetry/api`: the exporter, sampler and resource are the user's choice.
 *
 * @example
 * const tracing = createTracing(config.tracing, { name: '@gatehouse/bff', provider: deps.tracerProvider });
 */
export function createTracing(config: Readonly<TracingConfig>, options: TracingOptions): Tracing | undefined {
  if (!config.enabled) return undefined;
  const provider = options.provider ?? trace.getTracerProvider();
  return Object.freeze({
    tracer: provider.getTracer(options.name),
    trustIncomingTraceContext: config.trustIncomingTraceContext,
  });
}
