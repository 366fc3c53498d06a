export { createServer, type ServerOptions, serverDefaults, type TunedServerOptions } from './create-server.js';
export {
  classifyFailure,
  createErrorHandler,
  type ErrorHandler,
  type FailureAnswers,
  type ServerFailure,
  storeRetryAfterSeconds,
} from './error-mapping.js';
export { type JsonErrorBody, sendJsonError } from './json-error.js';
export { type LoggerOption, type PinoOptions, safeLoggerOptions, safeLogSerializers } from './log-serializers.js';
export { chooseRequestId, requestIdHeader } from './request-id.js';
