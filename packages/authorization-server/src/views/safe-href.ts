/**
 * Escaping keeps a URL inside its attribute but cannot stop `javascript:`; links therefore go only to
 * http(s) URLs or to paths on this server. A URL failing the check is not linked at all.
 */

// Any origin that cannot be ours: a relative path that resolves elsewhere (`//evil.test`, `/\evil.test`,
// a tab the browser strips) is not a path on this server.
const probeBase = 'https://gatehouse.invalid';

export function isSafeHref(url: string): boolean {
  try {
    if (url.startsWith('/')) return new URL(url, probeBase).origin === probeBase;
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}
