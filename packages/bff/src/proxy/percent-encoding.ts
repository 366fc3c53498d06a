/**
 * Which part of a raw request-target has broken percent-encoding, if any: an octet that must be
 * encoded written raw (a control character, a space, or a `#`, which would start a fragment — no
 * part of a request-target: RFC 3986 §2, RFC 9112 §3.2), a `%` not followed by two hex digits
 * (RFC 3986 §2.1), or escapes that do not decode to UTF-8 (RFC 3629: `%C0%AF` overlong, `%E2%82`
 * truncated, `%ED%A0%80` a surrogate). Such a target means nothing an API could rely on, and the
 * proxy's URL handling cannot decode it either: it is refused with 400 before anything is sent.
 *
 * @example malformedPercentEncoding('/api/stats?days=a%zzb') === 'query'
 */
export function malformedPercentEncoding(rawUrl: string): 'path' | 'query' | undefined {
  const queryAt = rawUrl.indexOf('?');
  const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  if (!decodes(path)) return 'path';
  if (queryAt !== -1 && !decodes(rawUrl.slice(queryAt + 1))) return 'query';
  return undefined;
}

/** Node's HTTP parser refuses most of these raw already; the check stands for whatever gets through. */
const mustBeEncoded = /[\u0000-\u0020\u007f#]/;

function decodes(text: string): boolean {
  if (mustBeEncoded.test(text)) return false;
  if (!text.includes('%')) return true;
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}
