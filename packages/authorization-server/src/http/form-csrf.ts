import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AsContext } from '../context.js';

/** The CSRF token for a form on this page, setting the browser's CSRF cookie when it has none. */
export function csrfTokenFor(context: AsContext, request: FastifyRequest, reply: FastifyReply): string {
  const csrf = context.csrf.forForm(request.headers.cookie);
  if (csrf.setCookie) reply.header('set-cookie', csrf.setCookie);
  return csrf.token;
}
