/**
 * Request headers that belong to the browser, never to the upstream: its credentials, our CSRF
 * marker, forwarding claims the BFF sets itself, a proof only the BFF may compute, and trace context
 * (an API that trusts its callers' trace context must not continue a stranger's trace or carry its
 * baggage; with tracing on, the BFF sends its own).
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
  'traceparent',
  'tracestate',
  'baggage',
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

/**
 * `Expect: 100-continue` is met on the browser's own connection (Node answers `100 Continue` before
 * the body is read), so it is not the upstream's to answer; undici refuses to send it anyway.
 */
export const expectationHeaders: ReadonlySet<string> = new Set(['expect']);

type Headers<T> = Record<string, T>;

/**
 * A copy of `headers` for the next hop: without the hop-by-hop headers, without every header the
 * sender named in its `Connection` header (RFC 9110 §7.6.1: those are hop-by-hop too), and without
 * `alsoStripped`. The same rule for requests going upstream and responses coming back.
 */
export function forNextHop<T extends string | string[] | number | undefined>(
  headers: Headers<T>,
  alsoStripped: ReadonlySet<string> = new Set(),
): Headers<T> {
  const named = namedInConnection(headers.connection);
  const kept: Headers<T> = {};
  // One pass, no `delete` (which slows objects down).
  for (const name in headers) {
    if (!hopByHopHeaders.has(name) && !named.has(name) && !alsoStripped.has(name)) kept[name] = headers[name] as T;
  }
  return kept;
}

/** The lower-cased field names a `Connection` header lists (`keep-alive, X-Thing` → keep-alive, x-thing). */
function namedInConnection(value: string | string[] | number | undefined): ReadonlySet<string> {
  if (value === undefined || typeof value === 'number') return new Set();
  const names = (Array.isArray(value) ? value : [value]).flatMap((line) => line.split(','));
  return new Set(names.map((name) => name.trim().toLowerCase()).filter((name) => name !== ''));
}
