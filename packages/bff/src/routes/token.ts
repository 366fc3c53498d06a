import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BffContext } from '../context.js';
import { accessTokenForSession } from '../proxy/session-token.js';
import { calledByScript } from '../request-guard/route-guard.js';
import { upstreamTokenForSession } from '../upstream/session-upstream-token.js';
import { sendApiError, sendUpstreamError } from './api-error.js';
import { readCurrentSession } from './current-session.js';

const scopePattern = /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/;

/**
 * `GET /bff/token[?scope=a b]` — the token-mediating mode, off unless `tokenMediating.enabled`: an
 * access token for the SPA to call an API directly, for the requested scopes (never more than the
 * login granted; a narrower set gets a narrower token). Never a refresh or ID token; `no-store`.
 * The CSRF rule applies like any script-called endpoint.
 *
 * `GET /bff/token?upstream=<name>` answers the user's token at that upstream instead (with its
 * `appsecret_proof` when the upstream wants one), only for upstreams configured with
 * `exposeTokenToBrowser`: 404 `unknown_upstream` for any other name, 403 `upstream_token_not_exposed`
 * for an upstream that keeps its token on the server.
 */
export function registerToken(app: FastifyInstance, context: BffContext): void {
  if (!context.config.tokenMediating.enabled) return;
  app.get(`${context.config.prefix}/token`, { config: { guard: calledByScript } }, async (request, reply) => {
    const { scope, upstream } = request.query as Record<string, unknown>;
    if (upstream !== undefined) {
      if (typeof upstream !== 'string' || scope !== undefined) {
        return reply
          .code(400)
          .header('cache-control', 'no-store')
          .send({ error: 'invalid_request', reason: 'invalid_upstream' });
      }
      return sendUpstreamToken(context, request, reply, upstream);
    }
    if (scope !== undefined && (typeof scope !== 'string' || scope.length > 1024 || !scopePattern.test(scope))) {
      return reply
        .code(400)
        .header('cache-control', 'no-store')
        .send({ error: 'invalid_request', reason: 'invalid_scope' });
    }
    const current = await readCurrentSession(context, request, reply);
    if (!current) return sendApiError(reply, 401, 'no_session');
    const scopes = typeof scope === 'string' ? scope.split(' ') : [];
    const result = await accessTokenForSession(context, current.sessionId, current, scopes);
    if (result.kind === 'ended') return sendApiError(reply, 401, result.reason);
    if (result.kind === 'refused') return sendApiError(reply, 403, result.reason);
    return reply
      .header('cache-control', 'no-store')
      .header('pragma', 'no-cache')
      .send({
        access_token: result.accessToken,
        token_type: 'Bearer',
        expires_in: Math.max(0, Math.floor((result.expiresAt - context.now()) / 1000)),
        scope: result.scope,
      });
  });
}

/** The user's upstream token for the SPA, when that upstream is configured to expose it. */
async function sendUpstreamToken(
  context: BffContext,
  request: FastifyRequest,
  reply: FastifyReply,
  name: string,
): Promise<FastifyReply> {
  const upstream = context.config.upstreams.find((candidate) => candidate.name === name);
  if (!upstream) return sendApiError(reply, 404, 'unknown_upstream');
  if (!upstream.exposeTokenToBrowser) return sendApiError(reply, 403, 'upstream_token_not_exposed');
  const current = await readCurrentSession(context, request, reply);
  if (!current) return sendApiError(reply, 401, 'no_session');
  const result = await upstreamTokenForSession(context, current, name);
  if (result.kind !== 'token') return sendUpstreamError(reply, result, name);
  const { token } = result;
  return reply
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .send({
      access_token: token.accessToken,
      token_type: 'Bearer',
      ...(token.expiresAt === undefined
        ? {}
        : { expires_in: Math.max(0, Math.floor((token.expiresAt - context.now()) / 1000)) }),
      ...(token.appsecretProof ? { appsecret_proof: token.appsecretProof } : {}),
    });
}
