export { createServer, type ServerOptions, serverDefaults, type TunedServerOptions } from './create-server.js';
export {
  classifyFailure,
  createErrorHandler,
  type ErrorHandler,
  type FailureAnswers,
  type ServerFailure,
  shuttingDownRetryAfterSeconds,
  storeRetryAfterSeconds,
} from './error-mapping.js';
export {
  type AttachLifecycleOptions,
  attachLifecycle,
  type CloseGracefullyHooks,
  type CloseOutcome,
  closeGracefully,
} from './graceful-close.js';
export {
  answerLiveness,
  answerReadiness,
  type HealthAnswer,
  type HealthBody,
  type HealthRoutesOptions,
  healthHeaders,
  healthPaths,
  registerHealthRoutes,
} from './health-routes.js';
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
export {
  checkOpsConfig,
  type HealthConfig,
  healthConfigSchema,
  type MetricsListenerConfig,
  metricsListenerConfigSchema,
  type ShutdownConfig,
  shutdownConfigSchema,
} from './ops-config.js';
export { type MetricsSource, type OpsListener, type OpsListenerOptions, startOpsListener } from './ops-listener.js';
export { chooseRequestId, requestIdHeader } from './request-id.js';
export {
  createSecurityEvents,
  type SecurityEventCatalog,
  type SecurityEventFieldMap,
  type SecurityEventLevel,
  type SecurityEventLog,
  type SecurityEventObserver,
  type SecurityEvents,
  type SecurityEventValue,
} from './security-events.js';
export {
  type CheckState,
  type LifecyclePhase,
  lifecycleDefaults,
  type ReadinessCheck,
  type ReadinessReport,
  ServerLifecycle,
  type ServerLifecycleOptions,
  ShuttingDownError,
} from './server-lifecycle.js';
export { sourceAddress, sourceOf } from './source-address.js';
export { storeDurationBuckets, storeMetricsObserver } from './store-metrics.js';
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
