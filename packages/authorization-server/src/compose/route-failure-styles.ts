import type { FailureStyle } from '../http/failure-style.js';

/**
 * The failure style each of one app's routes declared, collected as its routes are added (`onRoute`),
 * for requests no route took: a wrong method (405) and a path no route has (404), whose answer has
 * no route to read a declaration from. One per app, like `RouteMethods`.
 */
export class RouteFailureStyles {
  readonly #byPath = new Map<string, FailureStyle>();
  /** The styles of the routes in each folder (`/.well-known/`). */
  readonly #byFolder = new Map<string, Set<FailureStyle>>();

  add(path: string, declared: FailureStyle | undefined): void {
    const style = declared ?? 'page';
    this.#byPath.set(path, style);
    const folder = folderOf(path);
    this.#byFolder.set(folder, (this.#byFolder.get(folder) ?? new Set<FailureStyle>()).add(style));
  }

  /**
   * The style for a request URL no route took: the style of the route at its path; else, in the
   * nearest folder that has routes, `json` when all of them are JSON (so a misspelt `/.well-known/…`
   * document gets JSON), else `page`. The path is percent-decoded as the router decodes it, so
   * `/%74oken` is `/token`.
   */
  styleFor(url: string): FailureStyle {
    const raw = url.split('?', 1)[0] as string;
    let path = raw;
    try {
      path = decodeURIComponent(raw);
    } catch {
      // A path the router could not decode either: judged as it came.
    }
    const declared = this.#byPath.get(path);
    if (declared) return declared;
    for (let folder = folderOf(path); folder !== ''; folder = folderOf(folder.slice(0, -1))) {
      const styles = this.#byFolder.get(folder);
      if (styles) return styles.size === 1 && styles.has('json') ? 'json' : 'page';
    }
    return 'page';
  }
}

/** `/a/b/c` → `/a/b/`; `/token` → `/`; `` (above the root) → ``. */
function folderOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/') + 1);
}
