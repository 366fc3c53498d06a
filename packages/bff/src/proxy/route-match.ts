/**
 * The route a path belongs to: of the routes whose `path` the given path equals or lies below at a
 * segment boundary (`/api/admin/x` is below `/api/admin` and `/api`; `/apiary` below neither), the
 * most specific — the longest — whatever order they are configured in. Requests and WebSocket
 * upgrades both go by it, so a path names the same route, and the same guard and token, either way.
 *
 * @example matchRoute([{ path: '/api' }, { path: '/api/admin' }], '/api/admin/x') // → { path: '/api/admin' }
 */
export function matchRoute<Route extends { readonly path: string }>(
  routes: readonly Route[],
  path: string,
): Route | undefined {
  let best: Route | undefined;
  for (const route of routes) {
    const below = path === route.path || path.startsWith(`${route.path}/`);
    if (below && (!best || route.path.length > best.path.length)) best = route;
  }
  return best;
}
