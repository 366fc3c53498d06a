import type { FastifyReply } from 'fastify';

/**
 * Security headers for the provider's HTML pages (SECURITY.md §4): a CSP with no inline script and no
 * framing, nosniff, no referrer, no caching. `formTargets` are origins a form here may end up at
 * (Chromium applies `form-action` to the redirects after a POST too, e.g. the client's redirect URI).
 */
export function sendPage(
  reply: FastifyReply,
  status: number,
  html: string,
  options: { formTargets?: readonly string[]; scriptNonce?: string } = {},
): FastifyReply {
  const formAction = ["'self'", ...new Set(options.formTargets ?? [])].join(' ');
  const script = options.scriptNonce ? `; script-src 'nonce-${options.scriptNonce}'` : '';
  return reply
    .code(status)
    .header(
      'content-security-policy',
      `default-src 'none'; style-src 'self'; img-src 'self' data:; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'${script}`,
    )
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(html);
}
