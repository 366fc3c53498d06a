import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { createCorsPolicy } from '../core/cors.js';
import { toErrorResponse } from '../core/error-response.js';
import type { Principal } from '../core/principal.js';
import { isTokenParameter } from '../core/read-bearer-token.js';
import type { ScopeRequirement } from '../core/scopes.js';
import type { RequestVerifier } from '../core/verify-request.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller, set by the `requireToken` hook. */
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Under the `resourceServer` plugin: the scopes this route needs, instead of the plugin's `scopes`. */
    scopes?: ScopeRequirement;
    /** Under the `resourceServer` plugin: serve this route without a token. Default false. */
    isPublic?: boolean;
  }
}

/**
 * A Fastify hook that verifies the bearer token (and scopes) and sets `request.principal`, or answers
 * with the RFC 6750 error. Use it as `onRequest`, so a request without a valid token is refused
 * before its body is read or validated (`preHandler` works too). Conversion only: the rules live in
 * the core.
 *
 * @example app.get('/todos', { onRequest: requireToken(verifier, { allOf: ['api'] }) }, handler)
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
    const query = request.query as Record<string, unknown> | undefined;
    const input = {
      authorization: request.headers.authorization,
      appsecretProof: proofOf(query, request.headers['appsecret-proof']),
      hasQueryToken: isTokenParameter(query?.access_token),
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

export interface ResourceServerPluginOptions {
  verifier: RequestVerifier;
  /** The scopes every route needs unless its `config.scopes` says otherwise. Default none. */
  scopes?: ScopeRequirement;
}

/**
 * The Fastify plugin: every route declared after it, in the context it is registered in, needs a valid
 * token — a route opts out with `config: { isPublic: true }` — and the route's `config.scopes` (or the
 * plugin's `scopes`). The check runs `onRequest`, before the body is read; the principal is on
 * `request.principal`. Protected by default, so a route cannot be left open by forgetting an option.
 *
 * @example
 * await app.register(resourceServer, { verifier, scopes: { allOf: ['api'] } });
 * app.get('/todos', async (request) => listTodos(request.principal!));
 * app.delete('/todos/:id', { config: { scopes: { allOf: ['api', 'write'] } } }, deleteTodo);
 * app.get('/health', { config: { isPublic: true } }, async () => 'ok');
 */
export const resourceServer = Object.assign(
  async function resourceServer(app: FastifyInstance, options: ResourceServerPluginOptions): Promise<void> {
    if (!options?.verifier) throw new TypeError('resourceServer: a verifier from createRequestVerifier is required');
    decoratePrincipal(app);
    app.addHook('onRoute', (route) => {
      if (route.config?.isPublic === true) return;
      const hook = requireToken(options.verifier, route.config?.scopes ?? options.scopes) as onRequestHookHandler;
      const existing = route.onRequest === undefined ? [] : [route.onRequest].flat();
      route.onRequest = [hook, ...existing];
    });
  },
  {
    // What fastify-plugin sets: the hook applies to the context that registers the plugin, not only
    // to an encapsulated child of its own.
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: '@gatehouse/resource-server',
  },
);

/** Registers `request.principal` so Fastify knows the property (call once per app). */
export function decoratePrincipal(app: FastifyInstance): void {
  if (!app.hasRequestDecorator('principal')) app.decorateRequest('principal', undefined);
}

function proofOf(
  query: Record<string, unknown> | undefined,
  header: string | string[] | undefined,
): string | undefined {
  const fromQuery = query?.appsecret_proof;
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
