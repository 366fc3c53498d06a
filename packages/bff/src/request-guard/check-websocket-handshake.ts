import type { BrowserRequest } from './check-browser-request.js';

export type HandshakeVerdict =
  | { allowed: true }
  | { allowed: false; status: 400; reason: 'not_a_websocket_upgrade' }
  | { allowed: false; status: 403; reason: 'cross_site_request' };

/**
 * The CSRF rule of a `script` route for a WebSocket handshake, which the browser cannot add `x-csrf`
 * to but always sends `Origin` with: the handshake must come from the BFF's own origin (no cross-site
 * WebSocket hijacking) and not be marked `Sec-Fetch-Site: cross-site`. And it must be a WebSocket
 * upgrade: Node hands the BFF every `Upgrade` value, and another protocol is nothing the proxy knows
 * how to carry (nor a way around the rules requests get).
 *
 * @see SECURITY.md §5 — WebSocket upgrades
 */
export function checkWebSocketHandshake(request: BrowserRequest, ownOrigin: string): HandshakeVerdict {
  const { headers } = request;
  const upgrade = headers.upgrade;
  if (typeof upgrade !== 'string' || upgrade.toLowerCase() !== 'websocket') {
    return { allowed: false, status: 400, reason: 'not_a_websocket_upgrade' };
  }
  if (headers.origin !== ownOrigin || headers['sec-fetch-site'] === 'cross-site') {
    return { allowed: false, status: 403, reason: 'cross_site_request' };
  }
  return { allowed: true };
}
