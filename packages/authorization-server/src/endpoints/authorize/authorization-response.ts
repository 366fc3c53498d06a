import type { FastifyReply } from 'fastify';
import { sendPage } from '../../http/page-headers.js';
import { randomToken } from '../../primitives/random.js';
import type { ResponseTarget } from '../../protocol/authorization-request.js';
import type { OAuthError } from '../../protocol/errors.js';
import { escapeHtml } from '../../views/html.js';

/**
 * Sends an authorization response to the validated redirect URI (RFC 6749 §4.1.2, RFC 9207): the
 * values plus `iss`, and `state` echoed exactly when the request had one — in the query (keeping a
 * registered query), the fragment, or an auto-submitted form (`form_post`).
 */
export function sendAuthorizationResponse(
  reply: FastifyReply,
  target: ResponseTarget,
  issuer: string,
  values: Record<string, string>,
): FastifyReply {
  const all: Record<string, string> = { ...values, iss: issuer };
  if (target.state !== undefined) all.state = target.state;
  if (target.responseMode === 'form_post') return sendFormPost(reply, target.redirectUri, all);
  const url = new URL(target.redirectUri);
  if (target.responseMode === 'fragment') {
    url.hash = new URLSearchParams(all).toString();
  } else {
    for (const [name, value] of Object.entries(all)) url.searchParams.append(name, value);
  }
  return reply.code(303).header('cache-control', 'no-store').header('location', url.href).send();
}

/** An error response: only `error`, `error_description` (RFC 6749 charset), `state` and `iss`. */
export function sendAuthorizationError(
  reply: FastifyReply,
  target: ResponseTarget,
  issuer: string,
  error: OAuthError,
): FastifyReply {
  const description = error.description.replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, '').slice(0, 300);
  return sendAuthorizationResponse(reply, target, issuer, { error: error.code, error_description: description });
}

function sendFormPost(reply: FastifyReply, action: string, values: Record<string, string>): FastifyReply {
  const nonce = randomToken(16);
  const inputs = Object.entries(values)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Returning to the application</title></head><body><form method="post" action="${escapeHtml(action)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form><script nonce="${nonce}">document.forms[0].submit()</script></body></html>`;
  return sendPage(reply, 200, html, { formTargets: [new URL(action).origin], scriptNonce: nonce });
}
