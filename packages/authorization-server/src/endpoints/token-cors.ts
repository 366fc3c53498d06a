import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AsContext } from '../context.js';
import type { RegisteredClient } from '../protocol/client-metadata.js';

/**
 * CORS for the token endpoint, only for browser (public) clients and only for the origins they
 * registered (`allowed_cors_origins`); never credentials, never a reflected arbitrary origin.
 */
export function registerTokenCors(app: FastifyInstance, context: AsContext): void {
  const origins = new Set(context.clients.configured().flatMap((client) => client.allowed_cors_origins));
  app.options('/token', { config: { failure: 'json' } }, async (request, reply) => {
    const origin = request.headers.origin;
    reply.header('vary', 'Origin');
    if (typeof origin === 'string' && origins.has(origin)) {
      reply
        .header('access-control-allow-origin', origin)
        .header('access-control-allow-methods', 'POST')
        .header('access-control-allow-headers', 'Content-Type')
        .header('access-control-max-age', '600');
    }
    return reply.code(204).send();
  });
}

/** On the actual request: allow the origin only when the authenticated client registered it. */
export function allowTokenCors(request: FastifyRequest, reply: FastifyReply, client: RegisteredClient): void {
  const origin = request.headers.origin;
  reply.header('vary', 'Origin');
  if (typeof origin === 'string' && client.allowed_cors_origins.includes(origin)) {
    reply.header('access-control-allow-origin', origin);
  }
}
