import type { FastifyReply } from 'fastify';
import type { SocialUser } from '../options.js';

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe inside HTML content and double-quoted attributes. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => entities[char] as string);
}

const style = `body{font-family:system-ui,sans-serif;background:#f0f2f5;margin:0}
main{max-width:26rem;margin:4rem auto;background:#fff;border-radius:8px;padding:1.5rem;box-shadow:0 1px 4px #0002}
.brand{color:#1b4fd8;font-weight:700;margin:0 0 1rem}h1{font-size:1.2rem}
button{display:block;width:100%;margin:.5rem 0;padding:.7rem;font-size:1rem;border:0;border-radius:6px;cursor:pointer}
button[name=user]{background:#1b4fd8;color:#fff}button[name=decision]{background:#e4e6eb}`;

function renderPage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>${style}</style></head><body><main><p class="brand">Example Social</p>${body}</main></body></html>`;
}

/** The consent page: one button per demo user, and Cancel. The form carries only the pending request's id. */
export function renderConsentPage(clientId: string, requestId: string, users: Iterable<SocialUser>): string {
  const heading = `Example Social — ${clientId} wants to see your profile and posts`;
  const buttons = [...users]
    .map(
      (user) =>
        `<button type="submit" name="user" value="${escapeHtml(user.id)}">Continue as ${escapeHtml(user.name)}</button>`,
    )
    .join('\n');
  return renderPage(
    heading,
    `<h1>${escapeHtml(heading)}</h1>
<form method="post" action="/oauth/authorize"><input type="hidden" name="request" value="${escapeHtml(requestId)}">
${buttons}
<button type="submit" name="decision" value="deny">Cancel</button></form>`,
  );
}

/** Shown when there is nowhere safe to redirect to; it has no links, since nothing in the request is trusted. */
export function renderErrorPage(title: string, message: string): string {
  return renderPage(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}

/**
 * Sends a page with no script, no framing and no caching. `formTarget` is the client's origin:
 * Chromium applies `form-action` to the redirect that follows the consent form's POST too.
 */
export function sendPage(reply: FastifyReply, status: number, html: string, formTarget?: string): FastifyReply {
  const formAction = formTarget ? `'self' ${formTarget}` : "'self'";
  return reply
    .code(status)
    .header(
      'content-security-policy',
      `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'`,
    )
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .type('text/html; charset=utf-8')
    .send(html);
}
