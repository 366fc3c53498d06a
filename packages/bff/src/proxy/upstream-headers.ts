/**
 * Request headers that belong to the browser, never to the upstream: its credentials, our CSRF
 * marker, forwarding claims the BFF sets itself, and a proof only the BFF may compute.
 */
export const browserOnlyHeaders: ReadonlySet<string> = new Set([
  'cookie',
  'authorization',
  'x-csrf',
  'proxy-authorization',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'appsecret-proof',
]);

/** Hop-by-hop headers (RFC 9110 §7.6.1): meaningful on one connection only. A WebSocket handshake keeps them. */
export const hopByHopHeaders: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
