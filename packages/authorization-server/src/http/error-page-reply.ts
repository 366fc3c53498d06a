import type { FastifyReply } from 'fastify';
import type { InteractionRefusal } from '../stores/interactions.js';
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

/** The page for an interaction this browser cannot use; it names nothing of the request. */
export function sendInteractionRefused(reply: FastifyReply, why: InteractionRefusal) {
  if (why === 'other-browser') {
    return sendErrorPage(
      reply,
      403,
      'Sign-in started elsewhere',
      'This sign-in request was started in another browser, and only that browser can continue it. Go back to the application and sign in again.',
    );
  }
  return sendErrorPage(
    reply,
    400,
    'Sign-in expired',
    'This sign-in request has expired or was already used. Go back to the application and sign in again.',
  );
}
