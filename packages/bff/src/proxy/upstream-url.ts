/**
 * Rejected raw paths: encoded slashes and backslashes, encoded dots, backslashes, and dot segments.
 * Each could make the upstream resolve a path outside the route's target prefix.
 */
const probe = /%2f|%5c|%2e|\\|(^|\/)\.\.?(\/|$)/i;

/**
 * The upstream URL for a request under a configured route, or `undefined` when the raw path is a
 * traversal or encoded-slash probe. The route's `path` prefix is replaced by its `target`; the rest of
 * the path and the query go through byte for byte, and the host always comes from configuration.
 *
 * @example upstreamUrl('/api', 'http://api:5000/v1', '/api/todos?x=1') === 'http://api:5000/v1/todos?x=1'
 */
export function upstreamUrl(routePath: string, target: string, rawUrl: string): string | undefined {
  const queryAt = rawUrl.indexOf('?');
  const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  const query = queryAt === -1 ? '' : rawUrl.slice(queryAt);
  if (path !== routePath && !path.startsWith(`${routePath}/`)) return undefined;
  const rest = path.slice(routePath.length);
  if (probe.test(rest) || /[\u0000-\u0020\u007f]/.test(rawUrl)) return undefined;
  return `${target.replace(/\/+$/, '')}${rest}${query}`;
}
