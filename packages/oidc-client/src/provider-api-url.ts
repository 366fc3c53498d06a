/** Encoded slashes and backslashes: an API that decodes them could resolve a path outside the base. */
const encodedSeparator = /%2f|%5c|\\/i;

/**
 * Whether `url` lies below the upstream's `apiBaseUrl`: the same origin, no credentials, and a path
 * equal to the base's path or under it at a segment boundary (`/v1` covers `/v1/me`, not `/v10`). A
 * URL whose path holds an encoded slash or backslash is refused too. The user's upstream token is
 * sent only to such URLs.
 *
 * @example isBelowApiBase('https://graph.example/v1/me', 'https://graph.example/v1') === true
 */
export function isBelowApiBase(url: string | URL, apiBaseUrl: string): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  const base = new URL(apiBaseUrl);
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  return (
    target.origin === base.origin &&
    !target.username &&
    !target.password &&
    !encodedSeparator.test(target.pathname) &&
    (target.pathname === base.pathname || target.pathname.startsWith(basePath))
  );
}

/** The parameter name upstreams that want a proof read it from (the Graph API convention). */
const proofParameter = 'appsecret_proof';

/**
 * `url` with `appsecret_proof=<proof>` as the last query parameter, and every `appsecret_proof` it
 * already had removed: the proof is the server's to choose, never the browser's. The other
 * parameters go through byte for byte.
 *
 * @example withAppsecretProof('https://graph.example/me?fields=id&appsecret_proof=x', 'ab12')
 *   === 'https://graph.example/me?fields=id&appsecret_proof=ab12'
 */
export function withAppsecretProof(url: string, proof: string): string {
  const hashAt = url.indexOf('#');
  const withoutFragment = hashAt === -1 ? url : url.slice(0, hashAt);
  const queryAt = withoutFragment.indexOf('?');
  const path = queryAt === -1 ? withoutFragment : withoutFragment.slice(0, queryAt);
  const kept =
    queryAt === -1
      ? []
      : withoutFragment
          .slice(queryAt + 1)
          .split('&')
          .filter((part) => part !== '' && parameterName(part) !== proofParameter);
  kept.push(`${proofParameter}=${encodeURIComponent(proof)}`);
  return `${path}?${kept.join('&')}`;
}

/**
 * A query parameter's name as a server would decode it (`+` is a space, `%5F` an underscore), without
 * failing on malformed escapes: `appsecret%5Fproof` must not slip past the removal.
 */
function parameterName(part: string): string {
  const equalsAt = part.indexOf('=');
  const raw = equalsAt === -1 ? part : part.slice(0, equalsAt);
  return raw
    .replaceAll('+', ' ')
    .replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}
