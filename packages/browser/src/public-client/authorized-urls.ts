/**
 * Whether `url` falls under one of the authorized prefixes: same origin as the prefix, and a path
 * that starts at a segment boundary (`/v1` covers `/v1` and `/v1/x`, not `/v10`). A bearer token is
 * attached to nothing else — not another origin, not a look-alike host.
 */
export function isAuthorizedUrl(url: URL, prefixes: readonly URL[]): boolean {
  return prefixes.some((prefix) => {
    if (url.origin !== prefix.origin) return false;
    const base = prefix.pathname.replace(/\/+$/, '');
    return base === '' || url.pathname === base || url.pathname.startsWith(`${base}/`);
  });
}
