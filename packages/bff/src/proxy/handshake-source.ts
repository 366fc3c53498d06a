import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import { sourceOf } from '@gatehouse/server-kit';

/**
 * The source address of a WebSocket handshake, which never reaches Fastify's `request.ip`: the
 * connection's peer, or the address a `trustedProxies` proxy reports in `X-Forwarded-For` — the same
 * rule, by the same library, as Fastify's `trustProxy`, so a handshake and a request of one browser
 * count under one source (an IPv6 address by its /64, {@link sourceOf}). Undefined when the socket is
 * already gone.
 */
export function handshakeSource(trustedProxies: readonly string[]): (request: IncomingMessage) => string | undefined {
  const trust = proxyAddr.compile([...trustedProxies]);
  return (request) => (request.socket.remoteAddress === undefined ? undefined : sourceOf(proxyAddr(request, trust)));
}
