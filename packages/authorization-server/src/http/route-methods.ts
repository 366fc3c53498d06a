/**
 * The methods each of one app's routes answers, collected as its routes are added, so a request with
 * another method gets 405 with `Allow` (RFC 9110 §15.5.6) instead of 404. One per app: two servers in a
 * process must not answer for each other's routes.
 */
export class RouteMethods {
  readonly #byPath = new Map<string, Set<string>>();

  add(path: string, methods: readonly string[]): void {
    const known = this.#byPath.get(path) ?? new Set<string>();
    for (const method of methods) if (method !== 'HEAD') known.add(method);
    this.#byPath.set(path, known);
  }

  /**
   * The `Allow` value for a request URL whose method matched no route, or undefined when no route
   * has its path. The path is percent-decoded, as the router decodes it, so `/%72evoke` is `/revoke`.
   */
  allowFor(url: string): string | undefined {
    let path: string;
    try {
      path = decodeURIComponent(url.split('?', 1)[0] as string);
    } catch {
      return undefined;
    }
    const methods = this.#byPath.get(path);
    return methods && methods.size > 0 ? [...methods].join(', ') : undefined;
  }
}
