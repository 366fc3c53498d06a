import { malformedPercentEncoding } from './percent-encoding.js';
import { matchRoute } from './route-match.js';

/** Why a request-target is not sent upstream; the `reason` of the proxy's JSON refusal. */
export type UpstreamPathRefusal =
  | { status: 400; reason: 'malformed_path' | 'malformed_query' }
  | { status: 404; reason: 'path_not_allowed' };

export type UpstreamResolution<Route> =
  | { kind: 'upstream'; route: Route; url: string }
  | ({ kind: 'refused' } & UpstreamPathRefusal);

/**
 * What could make an upstream resolve a path outside the route's target prefix: a dot segment, also
 * one with `;` parameters (`..;`, `..;jsessionid=x`: servlet containers drop the parameters, then
 * resolve the `..`), an encoded dot, slash or backslash (WHATWG URLs and many servers read `%2e%2e`
 * as `..`), and a backslash (some servers read it as `/`). Tested on the path as sent and on the path
 * decoded once, as an upstream framework (or a gateway in front of it) decodes it before resolving
 * it: so `%252e%252e` and `..%3b` go no further than `%2e%2e` and `..;`.
 */
const leavesPrefix = /%2f|%5c|%2e|\\|(^|\/)\.\.?(;[^/]*)?(\/|$)/i;

/**
 * C0 controls and DEL (SECURITY.md §1), and C1 controls (`%C2%85` is NEL, a line break to some
 * parsers): no API path holds one, and a NUL ends a string in C.
 */
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * The upstream of a raw request-target: the configured route it names (see {@link matchRoute}) and
 * the URL it goes to — the route's `path` prefix replaced by its `target`, the rest of the path and
 * the query byte for byte, the host always from configuration. The one place that decides which
 * request-targets go upstream, for requests and WebSocket upgrades alike; refused, in this order:
 * - broken percent-encoding (see {@link malformedPercentEncoding}): 400 `malformed_path` / `malformed_query`;
 * - a path under no route, or one whose decoded form names another route than its raw form
 *   (`/api/%61dmin` when `/api/admin` is a route too: Fastify's router reads the decoded path, the
 *   upstream gets the raw one, and the two must agree on whose guard and token apply): 404 `path_not_allowed`;
 * - a control character in the path, raw or encoded (`%00`): 400 `malformed_path`;
 * - anything that could leave the target prefix, raw or decoded once (see {@link leavesPrefix}): 404
 *   `path_not_allowed`, as for any path outside the routes.
 *
 * @example resolveUpstream([{ path: '/api', target: 'http://api:5000/v1' }], '/api/todos?x=1')
 * // → { kind: 'upstream', route: { path: '/api', … }, url: 'http://api:5000/v1/todos?x=1' }
 */
export function resolveUpstream<Route extends { readonly path: string; readonly target: string }>(
  routes: readonly Route[],
  rawUrl: string,
): UpstreamResolution<Route> {
  const malformed = malformedPercentEncoding(rawUrl);
  if (malformed) return { kind: 'refused', status: 400, reason: `malformed_${malformed}` };
  const queryAt = rawUrl.indexOf('?');
  const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  const query = queryAt === -1 ? '' : rawUrl.slice(queryAt);
  // Well-formed by now, so this decodes.
  const decodedPath = decodeURIComponent(path);
  const route = matchRoute(routes, path);
  if (!route || matchRoute(routes, decodedPath) !== route) {
    return { kind: 'refused', status: 404, reason: 'path_not_allowed' };
  }
  const rest = path.slice(route.path.length);
  const decodedRest = decodedPath.slice(route.path.length);
  if (controlCharacter.test(decodedRest)) return { kind: 'refused', status: 400, reason: 'malformed_path' };
  if (leavesPrefix.test(rest) || leavesPrefix.test(decodedRest)) {
    return { kind: 'refused', status: 404, reason: 'path_not_allowed' };
  }
  return { kind: 'upstream', route, url: `${route.target.replace(/\/+$/, '')}${rest}${query}` };
}

/**
 * {@link resolveUpstream} for a single route: the upstream URL, or `undefined` when the raw
 * request-target is refused.
 *
 * @example upstreamUrl('/api', 'http://api:5000/v1', '/api/todos?x=1') === 'http://api:5000/v1/todos?x=1'
 */
export function upstreamUrl(routePath: string, target: string, rawUrl: string): string | undefined {
  const resolved = resolveUpstream([{ path: routePath, target }], rawUrl);
  return resolved.kind === 'upstream' ? resolved.url : undefined;
}
