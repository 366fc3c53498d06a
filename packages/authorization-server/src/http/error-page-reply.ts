import type { FastifyReply } from 'fastify';
import { renderErrorPage } from '../views/error-page.js';
import { sendPage } from './page-headers.js';

/** A readable HTML error page: a title, a sentence, the OAuth code when there is one; never a link from the request. */
export function sendErrorPage(reply: FastifyReply, status: number, title: string, message: string, code?: string) {
  return sendPage(reply, status, renderErrorPage(code === undefined ? { title, message } : { title, message, code }));
}

/** A form POST whose CSRF token does not match this browser: 403, nothing changed. */
export function sendFormExpired(reply: FastifyReply) {
  return sendErrorPage(
    reply,
    403,
    'Form expired',
    'The form could not be verified. Go back, reload the page and try again.',
  );
}
