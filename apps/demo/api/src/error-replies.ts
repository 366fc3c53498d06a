import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';

/** Every error the demo API answers has this body, whoever raised it: a route, a schema or Fastify. */
export interface DemoErrorBody {
  error: string;
  message: string;
}

/**
 * An error a route raises on purpose: its code and message are written for the caller and sent as
 * they are. Any other error gets the fixed body of its status, so nothing of Fastify's messages
 * (which name its `FST_ERR_*` codes and echo the path or the content type) reaches a response.
 */
export class DemoApiError extends Error {
  override readonly name = 'DemoApiError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const fixedBodies: Readonly<Record<number, DemoErrorBody>> = {
  400: { error: 'invalid_request', message: 'the request is malformed' },
  403: { error: 'forbidden', message: 'this request is not allowed' },
  404: { error: 'not_found', message: 'no such route' },
  405: { error: 'method_not_allowed', message: 'this route does not serve that method; see Allow' },
  408: { error: 'request_timeout', message: 'the request took too long to arrive' },
  413: { error: 'request_too_large', message: 'the request body is too large' },
  414: { error: 'uri_too_long', message: 'the request URL is too long' },
  415: { error: 'unsupported_media_type', message: 'send the body as application/json' },
  431: { error: 'request_header_fields_too_large', message: 'the request headers are too large' },
};

/** The body for a status when nobody wrote a better one. */
export function fixedErrorBody(status: number): DemoErrorBody {
  if (status >= 500) return { error: 'server_error', message: 'something went wrong' };
  return fixedBodies[status] ?? { error: 'invalid_request', message: 'the request was refused' };
}

/**
 * Fastify options for errors raised before any route or hook runs: a URL the router cannot decode
 * (`FST_ERR_BAD_URL`), an over-long path parameter, and HTTP the parser refuses (headers too large,
 * a control character in the target). Fastify's defaults write their own JSON with the framework code
 * and the path in it.
 */
export const frameworkErrorOptions = {
  frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
    const status = error.statusCode ?? 400;
    reply.code(status).send(fixedErrorBody(status));
  },
  clientErrorHandler(error: Error & { code?: string }, socket: Socket) {
    // A reset connection has nobody left to answer (Node's own clientError handling does the same).
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body = JSON.stringify(fixedErrorBody(status));
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(error);
  },
} satisfies Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler'>;

/**
 * The error handler and the not-found handler: a route's {@link DemoApiError} as raised, a schema
 * failure as a 400 with the schema's message (it names the field, not the value), anything else the
 * fixed body of its status. A path served with other methods answers 405 with `Allow` (RFC 9110
 * §15.5.6), read from the routes as they are added, so call this before registering any.
 */
export function registerErrorReplies(app: FastifyInstance): void {
  const routes: { segments: string[]; methods: string[] }[] = [];
  app.addHook('onRoute', (route) => {
    routes.push({ segments: route.url.split('/'), methods: [route.method].flat() });
  });

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    if (error instanceof DemoApiError && status < 500) {
      return reply.code(status).send({ error: error.code, message: error.message });
    }
    if (error.validation && status === 400) {
      return reply.code(400).send({ error: 'invalid_request', message: error.message });
    }
    return reply.code(Math.min(status, 500)).send(fixedErrorBody(status));
  });

  app.setNotFoundHandler((request, reply) => {
    const path = decodeSegments(request.url.split('?')[0] ?? '');
    const allowed = path
      ? [...new Set(routes.filter((route) => matches(route.segments, path)).flatMap((route) => route.methods))]
      : [];
    if (allowed.length === 0) return reply.code(404).send(fixedErrorBody(404));
    return reply.code(405).header('allow', allowed.sort().join(', ')).send(fixedErrorBody(405));
  });
}

function decodeSegments(path: string): string[] | undefined {
  try {
    return path.split('/').map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined; // the router refuses such URLs before this, but a 404 is the safe answer
  }
}

/** Fastify's pattern syntax as the demo uses it: `:name` is one non-empty segment, `*` the rest. */
function matches(pattern: readonly string[], path: readonly string[]): boolean {
  for (const [index, part] of pattern.entries()) {
    if (part === '*') return true;
    const segment = path[index];
    if (segment === undefined) return false;
    if (part.startsWith(':') ? segment === '' : segment !== part) return false;
  }
  return pattern.length === path.length;
}
