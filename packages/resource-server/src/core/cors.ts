export interface CorsOptions {
  /** Exact origins allowed to call (`https://app.example.com`); never a wildcard with credentials. */
  origins: readonly string[] | '*';
  /** Allowed methods. Default GET, HEAD, POST, PUT, PATCH, DELETE. */
  methods?: readonly string[];
  /** Allowed request headers. Default Authorization, Content-Type. Add custom ones (`x-custom-header`). */
  allowedHeaders?: readonly string[];
  /** Response headers scripts may read. Default none. */
  exposedHeaders?: readonly string[];
  /** Send `Access-Control-Allow-Credentials: true`. Default false. */
  credentials?: boolean;
  /** How long browsers may cache a preflight, in seconds. Default 600. */
  maxAgeSeconds?: number;
}

/** What to do with a request: the headers to add, and for a preflight whether to answer it here. */
export type CorsDecision =
  | { kind: 'not-cors'; headers: Record<string, string> }
  | { kind: 'allowed'; headers: Record<string, string> }
  | { kind: 'preflight'; status: 204 | 403; headers: Record<string, string> };

const originPattern = /^https?:\/\/[^/?#\s]+$/;

/**
 * A CORS policy for APIs that browsers call directly. Options are checked once: `*` together with
 * credentials is refused (browsers would refuse it too, and it would expose every user's data), and
 * each origin must be a bare `scheme://host[:port]`. The allowed origin is echoed only when listed —
 * an unlisted one gets no CORS headers — and `Vary: Origin` is always set.
 */
export function createCorsPolicy(
  options: CorsOptions,
): (request: { method: string; origin?: string; requestMethod?: string; requestHeaders?: string }) => CorsDecision {
  const anyOrigin = options.origins === '*';
  if (anyOrigin && options.credentials) throw new TypeError('CORS: "*" origins cannot be combined with credentials');
  const origins = new Set(anyOrigin ? [] : options.origins);
  for (const origin of origins) {
    if (!originPattern.test(origin)) throw new TypeError(`CORS: ${origin} is not an origin (scheme://host[:port])`);
  }
  const methods = (options.methods ?? ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']).map((m) => m.toUpperCase());
  const allowedHeaders = new Set(
    (options.allowedHeaders ?? ['authorization', 'content-type']).map((h) => h.toLowerCase()),
  );
  const base = (origin: string): Record<string, string> => {
    const headers: Record<string, string> = { vary: 'Origin', 'access-control-allow-origin': anyOrigin ? '*' : origin };
    if (options.credentials) headers['access-control-allow-credentials'] = 'true';
    if (options.exposedHeaders?.length) headers['access-control-expose-headers'] = options.exposedHeaders.join(', ');
    return headers;
  };

  return (request): CorsDecision => {
    const { origin } = request;
    const allowedOrigin = origin !== undefined && (anyOrigin || origins.has(origin));
    const isPreflight = request.method.toUpperCase() === 'OPTIONS' && request.requestMethod !== undefined;
    if (!isPreflight) {
      if (!allowedOrigin) return { kind: 'not-cors', headers: { vary: 'Origin' } };
      return { kind: 'allowed', headers: base(origin as string) };
    }
    const requested = (request.requestHeaders ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
    const methodAllowed = methods.includes((request.requestMethod as string).toUpperCase());
    const headersAllowed = requested.every((h) => allowedHeaders.has(h));
    if (!allowedOrigin || !methodAllowed || !headersAllowed)
      return { kind: 'preflight', status: 403, headers: { vary: 'Origin' } };
    const headers: Record<string, string> = {
      ...base(origin as string),
      'access-control-allow-methods': methods.join(', '),
      'access-control-allow-headers': [...allowedHeaders].join(', '),
      'access-control-max-age': String(options.maxAgeSeconds ?? 600),
    };
    return { kind: 'preflight', status: 204, headers };
  };
}
