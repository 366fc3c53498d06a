/** Why a browser request to a protected BFF route was refused (the `reason` of the 403 body). */
export type RefusalReason = 'missing_csrf_header' | 'cross_site_request';

export type BrowserRequestVerdict = { allowed: true } | { allowed: false; status: 403; reason: RefusalReason };

export interface BrowserRequest {
  /** Request headers with lower-case names, as Node delivers them. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * Decides whether a request may reach a proxied route or a state-changing BFF endpoint.
 *
 * It must carry `x-csrf: 1` — a custom header that a cross-site form or a simple cross-origin
 * request cannot send without a CORS preflight, which the BFF never grants. When the browser says
 * where the request came from, that must be here too: `Sec-Fetch-Site: cross-site` is refused, and
 * an `Origin` other than the BFF's own (including `null`, from sandboxed frames and some redirects)
 * is refused.
 *
 * @param ownOrigin the BFF's public origin, e.g. `https://app.example.com`
 * @see SECURITY.md §5 — CSRF
 */
export function checkBrowserRequest(request: BrowserRequest, ownOrigin: string): BrowserRequestVerdict {
  const { headers } = request;
  const secFetchSite = single(headers['sec-fetch-site']);
  if (secFetchSite === 'cross-site') return refuse('cross_site_request');
  const origin = headers.origin;
  if (origin !== undefined && single(origin) !== ownOrigin) return refuse('cross_site_request');
  if (single(headers['x-csrf']) !== '1') return refuse('missing_csrf_header');
  return { allowed: true };
}

/** A header sent twice is treated as absent/wrong: its meaning is ambiguous. */
function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function refuse(reason: RefusalReason): BrowserRequestVerdict {
  return { allowed: false, status: 403, reason };
}
