import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { createCorsPolicy } from '../core/cors.js';
import { toErrorResponse } from '../core/error-response.js';
import type { Principal } from '../core/principal.js';
import type { ScopeRequirement } from '../core/scopes.js';
import type { RequestVerifier } from '../core/verify-request.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller, set by the `requireToken` hook. */
    principal?: Principal;
  }
}

/**
 * A Fastify `preHandler` that verifies the bearer token (and scopes) and sets `request.principal`,
 * or answers with the RFC 6750 error. Conversion only: the rules live in the core.
 *
 * @example app.get('/todos', { preHandler: requireToken(verifier, { allOf: ['api'] }) }, handler)
 */
export function requireToken(verifier: RequestVerifier, scopes?: ScopeRequirement) {
  const refuse = (error: unknown, reply: FastifyReply) => {
    const response = toErrorResponse(error, verifier.realm);
    if (response.status === 500) throw error;
    return reply
      .code(response.status)
      .headers(response.headers)
      .header('cache-control', 'no-store')
      .send(response.body);
  };
  // A callback hook, not an async one: a recently verified token is answered without a promise.
  return (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    const input = {
      authorization: request.headers.authorization,
      appsecretProof: proofOf(request.query, request.headers['appsecret-proof']),
    };
    let cached: ReturnType<RequestVerifier['verifyCached']>;
    try {
      cached = verifier.verifyCached(input, scopes);
    } catch (error) {
      refuse(error, reply);
      return;
    }
    if (cached) {
      request.principal = cached;
      done();
      return;
    }
    verifier.verify(input, scopes).then(
      (principal) => {
        request.principal = principal;
        done();
      },
      (error: unknown) => {
        try {
          refuse(error, reply);
        } catch (unexpected) {
          done(unexpected as Error);
        }
      },
    );
  };
}

/** Registers `request.principal` so Fastify knows the property (call once per app). */
export function decoratePrincipal(app: FastifyInstance): void {
  if (!app.hasRequestDecorator('principal')) app.decorateRequest('principal', undefined);
}

function proofOf(query: unknown, header: string | string[] | undefined): string | undefined {
  const fromQuery = (query as Record<string, unknown> | undefined)?.appsecret_proof;
  if (typeof fromQuery === 'string') return fromQuery;
  return typeof header === 'string' ? header : undefined;
}

/**
 * A Fastify `onRequest` hook applying a CORS policy from `createCorsPolicy`: adds the headers, and
 * answers preflights itself (204 or 403) before any token check.
 *
 * @example app.addHook('onRequest', corsHook(createCorsPolicy({ origins: ['https://app.example.com'] })))
 */
export function corsHook(policy: ReturnType<typeof createCorsPolicy>) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const decision = policy({
      method: request.method,
      origin: header('origin'),
      requestMethod: header('access-control-request-method'),
      requestHeaders: header('access-control-request-headers'),
    });
    reply.headers(decision.headers);
    if (decision.kind === 'preflight') return reply.code(decision.status).send();
  };
}
