export { createServer, type ServerOptions, serverDefaults, type TunedServerOptions } from './create-server.js';
export {
  classifyFailure,
  createErrorHandler,
  type ErrorHandler,
  type FailureAnswers,
  type ServerFailure,
  storeRetryAfterSeconds,
} from './error-mapping.js';
export {
  type HttpMetricsOptions,
  httpDurationBuckets,
  type RecordHttpAnswer,
  registerHttpMetrics,
  unmatchedRoute,
} from './http-metrics.js';
export { type JsonErrorBody, sendJsonError } from './json-error.js';
export { type LoggerOption, type PinoOptions, safeLoggerOptions, safeLogSerializers } from './log-serializers.js';
export {
  Counter,
  counterOf,
  createMetricsRegistry,
  Gauge,
  gaugeOf,
  Histogram,
  histogramOf,
  type MetricsExposition,
  metricsRenderer,
  Registry,
  type RenderMetrics,
} from './metrics-registry.js';
export { chooseRequestId, requestIdHeader } from './request-id.js';
export { type ClientSpan, startClientSpan, traceFetch } from './tracing/client-spans.js';
export { traceRequests } from './tracing/server-spans.js';
export { type ObservedStoreOperation, storeSpanObserver } from './tracing/store-spans.js';
export {
  extractTraceContext,
  parseTraceparent,
  traceContextHeaders,
  traceparentHeader,
  tracestateHeader,
} from './tracing/trace-context.js';
export { createTracing, type Tracing, type TracingOptions } from './tracing/tracing.js';
export { type TracingConfig, tracingConfigSchema } from './tracing/tracing-config.js';
export { storeDurationBuckets, storeMetricsObserver } from './store-metrics.js';
