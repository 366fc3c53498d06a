import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';

/**
 * Ends a login on a tiny same-origin page that moves on to `path`. The navigation starts from our own
 * origin, so the `SameSite=Strict` session cookie set on this response goes with it — a redirect
 * straight from the provider's site would arrive without it. A nonce'd script navigates; a meta
 * refresh does it without JavaScript. `path` must already be a checked local path.
 */
export function sendNavigationPage(reply: FastifyReply, path: string): FastifyReply {
  const nonce = randomBytes(16).toString('base64');
  const target = JSON.stringify(path).replace(/</g, '\\u003c');
  const attribute = escapeHtml(path);
  return reply
    .code(200)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header(
      'content-security-policy',
      `default-src 'none'; script-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    )
    .send(
      `<!doctype html><html><head><meta charset="utf-8"><title>Signing in…</title>` +
        `<meta http-equiv="refresh" content="0;url=${attribute}"></head>` +
        `<body><p><a href="${attribute}">Continue</a></p>` +
        `<script nonce="${nonce}">location.replace(${target})</script></body></html>`,
    );
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
