import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { withAppsecretProof } from '@gatehouse/oidc-client';
import { computeAppSecretProof } from '@gatehouse/resource-server';
import { type ServerLifecycle, shuttingDownRetryAfterSeconds } from '@gatehouse/server-kit';
import type { FastifyInstance } from 'fastify';
import { type BffConfig, upstreamTokenPrefix } from '../config/bff-config.js';
import type { BffContext } from '../context.js';
import { RefreshUnavailableError } from '../refresh/refresh-unavailable.js';
import { decideRouteGuard } from '../request-guard/route-guard.js';
import { readSessionId } from '../session/session-cookie.js';
import { upstreamTokenForSession } from '../upstream/session-upstream-token.js';
import { handshakeSource } from './handshake-source.js';
import { guardOfProxiedRoute } from './proxied-route-guard.js';
import { accessTokenForSession } from './session-token.js';
import { browserOnlyHeaders } from './upstream-headers.js';
import { resolveUpstream } from './upstream-url.js';

type Route = BffConfig['routes'][number];

/**
 * WebSocket upgrades on the configured routes. A handshake never passes Fastify's hooks, so it gets
 * the route's guard here, decided as for a request ({@link decideRouteGuard}): browsers cannot add
 * `x-csrf` to a handshake, but they always send `Origin`, so the handshake must be a WebSocket upgrade
 * from the BFF's own origin (no cross-site WebSocket hijacking), and a `client` route's calls count
 * against the same per-source limit as its requests. It must then carry a live session for `user`
 * and `upstream:<name>` routes, and then gets the session's access token (or the user's upstream
 * token and its `appsecret_proof`) upstream, cookies stripped. Open connections are checked every
 * `websocketSessionCheckSeconds` and closed once their session has ended (logout, back-channel logout, expiry) on any instance.
 */
export function registerWebSocketProxy(app: FastifyInstance, context: BffContext): void {
  const open = new Map<string, Set<Duplex>>();
  const track = (sessionId: string, sockets: Duplex[]) => {
    const set = open.get(sessionId) ?? new Set<Duplex>();
    open.set(sessionId, set);
    for (const socket of sockets) {
      set.add(socket);
      socket.once('close', () => {
        set.delete(socket);
        if (set.size === 0) open.delete(sessionId);
      });
    }
  };
  const watchdog = setInterval(async () => {
    for (const [sessionId, sockets] of open) {
      const live = await context.sessions.load(sessionId, context.now()).catch(() => 'unknown' as const);
      if (live === undefined) for (const socket of sockets) socket.destroy();
    }
  }, context.config.websocketSessionCheckSeconds * 1000);
  watchdog.unref();
  // Upgraded sockets leave the HTTP server's keep-alive handling: closing the app must end them
  // first (preClose), or the server's close would wait for them forever.
  const handshakes = new Set<Duplex>();
  const sourceOf = handshakeSource(context.config.trustedProxies);
  app.addHook('preClose', async () => {
    clearInterval(watchdog);
    for (const socket of handshakes) socket.destroy();
  });

  const lifecycle = app.lifecycle;
  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    // From the stop signal on, no new WebSocket: preClose may already have run, and the drain's cut
    // would be all that ends it. The client reconnects to another instance.
    if (lifecycle.isStopping) return refuseStopping(lifecycle, socket);
    handshakes.add(socket);
    socket.once('close', () => handshakes.delete(socket));
    handleUpgrade(context, lifecycle, request, sourceOf(request), socket, head, track).catch((error: unknown) =>
      // A refresh that failed for a transient reason: the session stays; the client reconnects later.
      error instanceof RefreshUnavailableError
        ? refuse(socket, error.status, error.status === 504 ? 'Gateway Timeout' : 'Service Unavailable', {
            'Retry-After': String(error.retryAfterSeconds),
          })
        : refuse(socket, 502, 'Bad Gateway'),
    );
  });
}

async function handleUpgrade(
  context: BffContext,
  lifecycle: ServerLifecycle,
  request: IncomingMessage,
  sourceAddress: string | undefined,
  socket: Duplex,
  head: Buffer,
  track: (sessionId: string, sockets: Duplex[]) => void,
): Promise<void> {
  // The same route, and the same refusals, as a request to this path would get.
  const resolved = resolveUpstream(context.config.routes, request.url ?? '/');
  if (resolved.kind === 'refused') return refuse(socket, resolved.status, statusText[resolved.status]);
  const { route } = resolved;
  if (route.methods && !route.methods.includes('GET')) return refuse(socket, 404, statusText[404]);
  // Counted by the source a request's `request.ip` names (handshakeSource); a socket already gone has none.
  if (sourceAddress === undefined) {
    socket.destroy();
    return;
  }
  const verdict = await decideRouteGuard(
    guardOfProxiedRoute(route),
    { headers: request.headers, sourceAddress, handshake: true },
    { ownOrigin: context.origin, rateLimiter: context.rateLimiter },
  );
  if (!verdict.allowed) {
    const retryAfter: Record<string, string> =
      verdict.status === 429 ? { 'Retry-After': String(verdict.retryAfterSeconds) } : {};
    return refuse(socket, verdict.status, statusText[verdict.status], retryAfter);
  }
  let bearer: string | undefined;
  let sessionId: string | undefined;
  let target = resolved.url;
  if (route.token === 'user' || route.token.startsWith(upstreamTokenPrefix)) {
    sessionId = readSessionId(request.headers.cookie);
    const current = sessionId ? await context.sessions.load(sessionId, context.now()) : undefined;
    if (!current || !sessionId) return refuse(socket, 401, 'Unauthorized');
    if (route.token === 'user') {
      const result = await accessTokenForSession(context, sessionId, current, route.scopes);
      if (result.kind !== 'token') return refuse(socket, result.kind === 'ended' ? 401 : 403, 'Unauthorized');
      bearer = result.accessToken;
    } else {
      const result = await upstreamTokenForSession(
        context,
        { ...current, sessionId },
        route.token.slice(upstreamTokenPrefix.length),
      );
      if (result.kind === 'ended') return refuse(socket, 401, 'Unauthorized');
      if (result.kind === 'refused') {
        const [status, message] = refusalStatus[result.reason];
        return refuse(socket, status, message);
      }
      bearer = result.token.accessToken;
      if (result.token.appsecretProof) target = withAppsecretProof(target, result.token.appsecretProof);
    }
  } else if (route.token === 'client') {
    bearer = await context.clientTokens.accessToken(route.scopes);
  }
  // The guard, the session and the token took time: the stop may have begun meanwhile.
  if (lifecycle.isStopping) return refuseStopping(lifecycle, socket);
  const headers = upstreamHeaders(context, route, request, sourceAddress, bearer);
  const send = target.startsWith('https:') ? httpsRequest : httpRequest;
  const upstream = send(new URL(target), { method: 'GET', headers, timeout: context.config.upstreamTimeoutMs });
  upstream.on('timeout', () => upstream.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
  upstream.on('error', (error: NodeJS.ErrnoException) => {
    refuse(
      socket,
      error.code === 'ETIMEDOUT' ? 504 : 502,
      error.code === 'ETIMEDOUT' ? 'Gateway Timeout' : 'Bad Gateway',
    );
  });
  upstream.on('response', (response) => {
    // The upstream refused the upgrade: pass its status on, without its body or cookies.
    refuse(socket, response.statusCode ?? 502, response.statusMessage ?? 'Bad Gateway');
    response.resume();
  });
  upstream.on('upgrade', (response, upstreamSocket, upstreamHead) => {
    if (lifecycle.isStopping || socket.destroyed) {
      upstreamSocket.destroy();
      return refuseStopping(lifecycle, socket);
    }
    const lines = [`HTTP/1.1 101 ${response.statusMessage ?? 'Switching Protocols'}`];
    for (let i = 0; i < response.rawHeaders.length; i += 2) {
      const name = response.rawHeaders[i] as string;
      if (name.toLowerCase() === 'set-cookie') continue;
      lines.push(`${name}: ${response.rawHeaders[i + 1]}`);
    }
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (upstreamHead.length > 0) socket.write(upstreamHead);
    if (head.length > 0) upstreamSocket.write(head);
    upstreamSocket.on('error', () => socket.destroy());
    socket.on('close', () => upstreamSocket.destroy());
    upstreamSocket.on('close', () => socket.destroy());
    upstreamSocket.pipe(socket).pipe(upstreamSocket);
    // Out of the HTTP server's connection list now: the drain timeout's cut must know of it.
    lifecycle.trackUpgraded(socket);
    if (sessionId) track(sessionId, [socket, upstreamSocket]);
    else socket.once('close', () => upstreamSocket.destroy());
  });
  upstream.end();
}

function upstreamHeaders(
  context: BffContext,
  route: Route,
  request: IncomingMessage,
  sourceAddress: string,
  bearer: string | undefined,
) {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && !browserOnlyHeaders.has(name)) headers[name] = value;
  }
  delete headers.host;
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (bearer && route.appsecretProof)
    headers['appsecret-proof'] = computeAppSecretProof(bearer, context.config.clientSecret);
  headers['x-forwarded-for'] = sourceAddress;
  headers['x-forwarded-host'] = context.publicHost;
  headers['x-forwarded-proto'] = context.publicProtocol;
  return headers;
}

/** The reason phrases of the statuses {@link resolveUpstream} and the route's guard refuse a handshake with. */
const statusText = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
} as const;

/** A handshake refused for want of the user's upstream token: no JSON body here, the status says it. */
const refusalStatus = {
  consent_required: [403, 'Forbidden'],
  not_allowed: [502, 'Bad Gateway'],
  unavailable: [503, 'Service Unavailable'],
} as const;

/** A handshake that arrived (or finished its checks) after the stop began: 503, retry elsewhere. */
function refuseStopping(lifecycle: ServerLifecycle, socket: Duplex): void {
  refuse(socket, 503, 'Service Unavailable', { 'Retry-After': String(shuttingDownRetryAfterSeconds) });
  // Half-closed until the client closes its side: a client that never does is cut at the drain timeout.
  lifecycle.trackUpgraded(socket);
}

/** Answers a handshake with a plain HTTP status and closes: never an upgrade, never a body with detail. */
function refuse(socket: Duplex, status: number, message: string, headers: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.end(
    `HTTP/1.1 ${status} ${message.replace(/[^\x20-\x7e]/g, '')}\r\n${extra.join('')}Connection: close\r\nContent-Length: 0\r\n\r\n`,
  );
}
