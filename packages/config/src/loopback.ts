/** This machine's names as `URL.hostname` spells them (IPv6 in brackets, names in lower case). */
const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether `hostname` — as `URL.hostname` gives it — names this machine: the one place where plain
 * `http` is allowed (development). Exact names only: `127.0.0.1.nip.io` or `localhost.evil` resolve
 * wherever their owner likes, so they are not loopback.
 *
 * @example
 * if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) throw new ConfigError('…must use https');
 */
export function isLoopbackHost(hostname: string): boolean {
  return loopbackHosts.has(hostname);
}

/** Whether the URL's host is loopback (see {@link isLoopbackHost}); `false` for a string that is no URL. */
export function isLoopbackUrl(url: URL | string): boolean {
  if (url instanceof URL) return isLoopbackHost(url.hostname);
  return URL.canParse(url) && isLoopbackHost(new URL(url).hostname);
}
