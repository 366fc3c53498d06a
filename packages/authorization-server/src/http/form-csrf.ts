import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CsrfTokens } from '../primitives/csrf-tokens.js';
import type { Params } from '../primitives/params.js';

/** The CSRF token for a form on this page, setting the browser's CSRF cookie when it has none. */
export function csrfTokenFor(context: { csrf: CsrfTokens }, request: FastifyRequest, reply: FastifyReply): string {
  const csrf = context.csrf.forForm(request.headers.cookie);
  if (csrf.setCookie) reply.header('set-cookie', csrf.setCookie);
  return csrf.token;
}

/**
 * Whether a POST of one of the provider's own forms may change anything: it carries this browser's
 * CSRF token, and the browser does not say it came from another origin (defence in depth beside the
 * token, SECURITY.md §4). `Origin: null` passes: browsers send it for the pages' own forms, which are
 * served with `Referrer-Policy: no-referrer`.
 */
export function isOwnFormPost(
  context: { csrf: CsrfTokens; config: { readonly issuer: string } },
  request: FastifyRequest,
  params: Params,
) {
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return false;
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== 'null' && origin !== new URL(context.config.issuer).origin) return false;
  return context.csrf.verify(request.headers.cookie, params.get('csrf'));
}
