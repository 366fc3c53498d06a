import type { JsonErrorBody } from '@gatehouse/server-kit';
import type { FastifyInstance } from 'fastify';
import { sendErrorPage } from '../http/error-page-reply.js';
import type { RouteMethods } from '../http/route-methods.js';
import { MethodNotAllowedError } from '../protocol/errors.js';
import { failureStyleOf, sendInFailureStyle } from './failure-answers.js';
import type { RouteFailureStyles } from './route-failure-styles.js';

/**
 * Answers a request no route took: 405 with `Allow` (RFC 9110 §15.5.6) when its path has routes for
 * other methods, else 404 — each in the failure style the routes at that path declared.
 */
export function answerUnroutedRequests(app: FastifyInstance, methods: RouteMethods, styles: RouteFailureStyles): void {
  app.setNotFoundHandler((request, reply) => {
    const allowed = methods.allowFor(request.url);
    if (allowed) {
      reply.header('allow', allowed);
      return sendInFailureStyle(request, reply, new MethodNotAllowedError(`use ${allowed}`), styles);
    }
    return failureStyleOf(request, styles) === 'json'
      ? reply.code(404).send({ error: 'not_found' } satisfies JsonErrorBody)
      : sendErrorPage(reply, 404, 'Page not found', 'There is no page at this address.');
  });
}
