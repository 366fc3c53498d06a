import type { BrowserRequest } from './check-browser-request.js';

export type NavigationVerdict = { allowed: true } | { allowed: false; status: 403; reason: 'not_a_navigation' };

/**
 * Decides whether a request may start a sign-in: it must be a top-level document navigation (the
 * user clicking "Sign in", or the SPA setting `location`), not a subresource a page asked for. Any
 * page the user has open can make the browser fetch `/bff/login` — `<img src>`, `<iframe>`,
 * `fetch(…, { mode: 'no-cors' })` — from the user's own address; counted against that address's
 * sign-in limit, those requests would lock the user out of signing in. So when the browser says
 * what a request is (`Sec-Fetch-Mode` other than `navigate`, `Sec-Fetch-Dest` other than
 * `document`), anything else is refused before it is counted or writes anything. A request without
 * these headers (an older browser, a tool) is let through as before: nothing to go by.
 *
 * @see docs/bff.md — Rate limits
 */
export function checkTopLevelNavigation(request: BrowserRequest): NavigationVerdict {
  const { headers } = request;
  const mode = headers['sec-fetch-mode'];
  const dest = headers['sec-fetch-dest'];
  // Present means the browser said something: only the exact values pass (a repeated header is a list, not them).
  if (mode !== undefined && mode !== 'navigate') return refused;
  if (dest !== undefined && dest !== 'document') return refused;
  return { allowed: true };
}

const refused: NavigationVerdict = Object.freeze({ allowed: false, status: 403, reason: 'not_a_navigation' });
