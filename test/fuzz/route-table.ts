import type { FastifyInstance, HTTPMethods } from 'fastify';

export interface Route {
  /** Fastify's pattern: `/interaction/:id/consent`, `/api/*`. */
  url: string;
  /** The methods registered for it, HEAD included where Fastify adds it for a GET. */
  methods: readonly string[];
}

/**
 * The routes a running Fastify app serves, read from Fastify itself, so a route added tomorrow is
 * fuzzed without anyone listing it.
 *
 * Why `printRoutes` and not an `onRoute` hook: the authorization server and the BFF build their own
 * Fastify instance and register every route inside `createAuthorizationServer`/`createBff`, before a
 * caller could add a hook; a hook would need a new option in both. `printRoutes({ commonPrefix:
 * false })` is Fastify's supported listing of the router's tree (one node per line, its methods in
 * parentheses, children indented by four columns). Its text is parsed here, and every route read is
 * confirmed with `hasRoute`, so a change in the printed format fails loudly instead of silently
 * fuzzing fewer routes.
 */
export function readRouteTable(app: FastifyInstance): Route[] {
  const printed = app.printRoutes({ commonPrefix: false });
  const byUrl = new Map<string, Set<string>>();
  const parents: string[] = [];
  for (const line of printed.split('\n')) {
    const node = /^((?:[│ ] {3})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/u.exec(line);
    if (!node) {
      if (line.trim() !== '') throw new Error(`printRoutes printed a line this reader does not know: ${line}`);
      continue;
    }
    const depth = (node[1] ?? '').length / 4;
    const parent = depth === 0 ? '' : (parents[depth - 1] ?? '');
    const methods = node[3]?.split(', ') ?? [];
    const url = locate(app, parent, node[2] ?? '', methods);
    parents[depth] = url;
    parents.length = depth + 1;
    if (methods.length === 0) continue; // an inner node of the tree with no handler of its own
    const known = byUrl.get(url) ?? new Set<string>();
    for (const method of methods) known.add(method);
    byUrl.set(url, known);
  }
  const routes = [...byUrl].map(([url, methods]) => ({ url, methods: [...methods].sort() }));
  if (routes.length === 0) throw new Error('printRoutes listed no route');
  return routes;
}

/**
 * The full pattern of a printed node. The tree drops the `/` before a wildcard or parameter child
 * (`/api` then `*` is `/api/*`), so both spellings are tried, and the one Fastify knows is kept.
 */
function locate(app: FastifyInstance, parent: string, text: string, methods: readonly string[]): string {
  const candidates = [`${parent}${text}`, `${parent}/${text}`];
  if (methods.length === 0) return candidates[0] as string;
  const found = candidates.find((url) =>
    methods.every((method) => app.hasRoute({ url, method: method as HTTPMethods })),
  );
  if (!found)
    throw new Error(`printRoutes listed ${methods.join(', ')} ${candidates[0]}, but Fastify has no such route`);
  return found;
}
