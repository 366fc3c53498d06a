import replyFrom from '@fastify/reply-from';
import { withAppsecretProof } from '@gatehouse/oidc-client';
import { computeAppSecretProof } from '@gatehouse/resource-server';
import { startClientSpan } from '@gatehouse/server-kit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type BffConfig, upstreamTokenPrefix } from '../config/bff-config.js';
import type { BffContext } from '../context.js';
import { sendApiError, sendUpstreamError } from '../routes/api-error.js';
import { readCurrentSession } from '../routes/current-session.js';
import { sessionStoreKey } from '../session/session-store.js';
import { upstreamTokenForSession } from '../upstream/session-upstream-token.js';
import { guardOfProxiedRoute } from './proxied-route-guard.js';
import { declaresTooLargeBody, limitBody, RequestBodyTooLargeError } from './request-body-limit.js';
import { accessTokenForSession } from './session-token.js';
import { browserOnlyHeaders, expectationHeaders, forNextHop } from './upstream-headers.js';
import { resolveUpstream } from './upstream-url.js';

type Route = BffConfig['routes'][number];

/** Request headers never passed upstream besides hop-by-hop ones: the browser's own, and `Expect`. */
const strippedRequestHeaders = new Set([...browserOnlyHeaders, ...expectationHeaders]);
/** Response headers never passed to the browser besides hop-by-hop ones: no upstream sets cookies on our origin. */
// The answer carries the BFF's own request id (set by the server kit), never the API's.
const strippedResponseHeaders = new Set(['set-cookie', 'x-request-id']);

/**
 * The configured routes, proxied with the right token: every request must pass the CSRF rule; `user`
 * routes need a live session and get its access token (refreshed when needed); `upstream:<name>`
 * routes need one too and get the user's token at that upstream (exchanged at the authorization
 * server, cached per session) plus the `appsecret_proof` query parameter when it wants one; bodies
 * stream both ways. Unauthenticated calls get 401 JSON, never a redirect; a refused upstream 502, a
 * slow one 504.
 */
export async function registerProxy(app: FastifyInstance, context: BffContext): Promise<void> {
  await app.register(async (scope) => {
    // Bodies go upstream as they arrive: no parsing, no buffering, but no more than maxRequestBodyBytes:
    // a larger declared length is refused before the upstream is contacted, a chunked body cut off.
    const maxBytes = context.config.maxRequestBodyBytes;
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (request, payload, done) => {
      if (declaresTooLargeBody(request.headers['content-length'], maxBytes)) {
        done(new RequestBodyTooLargeError(), undefined);
        return;
      }
      const limited = limitBody(maxBytes);
      payload.on('error', (error) => limited.destroy(error));
      // Piped, not pipelined: when the limit trips, the request stays open for the 413 answer.
      done(null, payload.pipe(limited));
    });
    await scope.register(replyFrom, {
      // Its request log holds the upstream URL with the query (codes, appsecret_proof): ours has the path only.
      disableRequestLogging: true,
      undici: { headersTimeout: context.config.upstreamTimeoutMs, bodyTimeout: context.config.upstreamTimeoutMs },
    });
    for (const route of context.config.routes) {
      const handler = (request: FastifyRequest, reply: FastifyReply) => forward(context, route, request, reply);
      const config = { guard: guardOfProxiedRoute(route) };
      const methods = route.methods ?? ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
      // Copies: Fastify writes into the method list, and a loaded config is frozen.
      scope.route({ method: [...methods], url: route.path, handler, config, exposeHeadRoute: false });
      scope.route({ method: [...methods], url: `${route.path}/*`, handler, config, exposeHeadRoute: false });
    }
  });
}

/** An API call slides the session's idle limit, writing at most once a minute per session. */
const slideEveryMs = 60_000;

async function forward(context: BffContext, route: Route, request: FastifyRequest, reply: FastifyReply) {
  // The CSRF rule and any rate limit ran already: the route's guard, enforced after routing.
  const resolved = resolveUpstream(context.config.routes, request.url);
  if (resolved.kind === 'refused') return sendApiError(reply, resolved.status, resolved.reason);
  // The guard that ran is this route's: the raw path must name the same route the router matched.
  if (resolved.route !== route) return sendApiError(reply, 404, 'path_not_allowed');
  let target = resolved.url;

  let bearer: string | undefined;
  /** For an upstream route: whose token went out, to forget it if the upstream refuses it. */
  let sent: { sessionId: string; upstream: string } | undefined;
  if (route.token === 'user' || route.token.startsWith(upstreamTokenPrefix)) {
    const current = await readCurrentSession(context, request, reply);
    if (!current) return sendApiError(reply, 401, 'no_session');
    const now = context.now();
    if (now - current.session.lastSeenAt > slideEveryMs) {
      // A lost compare-and-set means another request just wrote the session; it slid it too.
      const version = await context.sessions.update(
        current.sessionId,
        current.version,
        { ...current.session, lastSeenAt: now },
        now,
      );
      if (version !== undefined) current.version = version;
    }
    if (route.token === 'user') {
      const result = await accessTokenForSession(context, current.sessionId, current, route.scopes);
      if (result.kind === 'ended') return sendApiError(reply, 401, result.reason);
      if (result.kind === 'refused') return sendApiError(reply, 403, result.reason);
      bearer = result.accessToken;
    } else {
      const upstream = route.token.slice(upstreamTokenPrefix.length);
      const result = await upstreamTokenForSession(context, current, upstream);
      if (result.kind !== 'token') return sendUpstreamError(reply, result, upstream);
      bearer = result.token.accessToken;
      // The proof is the server's: whatever `appsecret_proof` the browser put in the query is replaced.
      if (result.token.appsecretProof) target = withAppsecretProof(target, result.token.appsecretProof);
      sent = { sessionId: current.sessionId, upstream };
    }
  } else if (route.token === 'client') {
    bearer = await context.clientTokens.accessToken(route.scopes);
  }

  // Timed until the API's response headers; labelled by the configured route, never the URL.
  const answered = context.metrics.proxiedCall(route.path);
  // With tracing on, a CLIENT span per call (no query in it: it may hold an appsecret_proof). A browser
  // that goes away before the answer ends it too.
  const span = context.tracing && startClientSpan(context.tracing, request.method, new URL(target));
  if (span) reply.raw.once('close', () => span.failed('aborted'));
  return reply.from(target, {
    rewriteRequestHeaders: (original, headers) => {
      const next = forNextHop(headers as Record<string, string | string[] | undefined>, strippedRequestHeaders);
      // With tracing on, the API continues the BFF's span.
      if (span) Object.assign(next, span.headers);
      if (bearer) next.authorization = `Bearer ${bearer}`;
      // Proves to the API that this call comes from the holder of the client secret, not from
      // wherever a stolen token might be replayed.
      if (bearer && route.appsecretProof)
        next['appsecret-proof'] = computeAppSecretProof(bearer, context.config.clientSecret);
      // The API sees the id the BFF logs this request under, never one the browser sent and the BFF refused.
      next['x-request-id'] = original.id;
      next['x-forwarded-for'] = original.ip;
      next['x-forwarded-host'] = context.publicHost;
      next['x-forwarded-proto'] = context.publicProtocol;
      return next;
    },
    rewriteHeaders: (headers) => forNextHop(headers, strippedResponseHeaders),
    onResponse: (_request, upstreamReply, raw) => {
      // reply-from's types call this a server response; it is its own { statusCode, headers, stream }.
      const response = raw as unknown as { statusCode: number; stream: NodeJS.ReadableStream };
      answered(response.statusCode);
      span?.answered(response.statusCode);
      // Upstream routes: an upstream that refuses its own token (revoked there, say) makes the next
      // call exchange afresh.
      if (sent && bearer && response.statusCode === 401) {
        context.upstreamTokens.forgetToken(sessionStoreKey(sent.sessionId), sent.upstream, bearer);
      }
      upstreamReply.send(response.stream);
    },
    onError: (errorReply, { error }) => {
      // The upload was cut off here, past maxRequestBodyBytes: the browser's fault, not the upstream's
      // (answered by the error handler, like a declared length over the limit).
      const cutOff = (request.body as { errored?: unknown } | undefined)?.errored;
      if (cutOff instanceof RequestBodyTooLargeError) {
        span?.failed('request_body_too_large');
        return (errorReply as FastifyReply).send(cutOff);
      }
      const code = (error as { code?: string }).code ?? '';
      const timedOut = /TIMEOUT/i.test(code) || (error as { statusCode?: number }).statusCode === 504;
      answered(timedOut ? 'timeout' : 'unreachable');
      span?.failed(timedOut ? 'timeout' : 'unreachable');
      return sendApiError(
        errorReply as FastifyReply,
        timedOut ? 504 : 502,
        timedOut ? 'upstream_timeout' : 'upstream_unreachable',
      );
    },
  });
}
