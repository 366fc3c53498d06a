import type { FastifyServerOptions } from 'fastify';

/** Pino options as Fastify takes them (a `stream` for tests, a `level`, …). */
export type PinoOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined>;

/** A server's `logger` dependency: `true`, pino options, or `false` for no logs. */
export type LoggerOption = boolean | PinoOptions;

/**
 * Log a request by method and path, a response by status: nothing that could hold a secret. The
 * query string is dropped (the AS's may hold an `id_token_hint`, the BFF callback's a code), and
 * headers (cookies, `Authorization`) and bodies are never logged.
 */
export const safeLogSerializers = Object.freeze({
  req: (request: { method?: string; url?: string }) => ({
    method: request.method,
    path: request.url?.split('?', 1)[0],
  }),
  res: (reply: { statusCode?: number }) => ({ statusCode: reply.statusCode }),
});

/**
 * Fastify's `logger` option for `logger`: the caller's pino options with {@link safeLogSerializers}
 * in place of any serializers of theirs, or `false`. The caller's object is not changed.
 */
export function safeLoggerOptions(logger: LoggerOption): PinoOptions | false {
  if (!logger) return false;
  return { ...(logger === true ? {} : logger), serializers: safeLogSerializers };
}
