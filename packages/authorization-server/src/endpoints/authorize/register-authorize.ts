import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AsContext } from '../../context.js';
import { sendErrorPage } from '../../http/error-page-reply.js';
import { requestParams } from '../../http/request-params.js';
import type { ResponseTarget } from '../../protocol/authorization-request.js';
import { OAuthError, PageError } from '../../protocol/errors.js';
import { readAuthorizationRequest } from './authorization-request.js';
import { sendAuthorizationError } from './authorization-response.js';
import { continueAuthorization } from './continue-authorization.js';
import { crossSitePostAsGet } from './cross-site-post.js';

/**
 * The authorization endpoint (RFC 6749 §3.1, OpenID Core §3.1.2), GET and POST. Before the client and
 * its redirect URI are known good, every failure is an HTML page; after, an OAuth error redirected
 * back with `state` and `iss`. No CORS headers, ever.
 */
export function registerAuthorize(app: FastifyInstance, context: AsContext): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const bounce = crossSitePostAsGet(request, `${context.basePath}/authorize`);
    if (bounce) return reply.code(303).header('cache-control', 'no-store').header('location', bounce).send();
    let target: ResponseTarget | undefined;
    try {
      const params = requestParams(request);
      const { client, request: authorization } = await readAuthorizationRequest(context, params, (known) => {
        target = known;
      });
      const session = await context.sessions.load(request.headers.cookie);
      return await continueAuthorization(context, reply, client, authorization, session);
    } catch (error) {
      if (error instanceof PageError) return sendErrorPage(reply, error.status, error.title, error.message, error.code);
      if (error instanceof OAuthError && target)
        return sendAuthorizationError(reply, target, context.config.issuer, error);
      if (error instanceof OAuthError) {
        return sendErrorPage(reply, 400, 'Invalid request', 'This sign-in request is not valid.', error.code);
      }
      throw error;
    }
  };
  app.get('/authorize', handler);
  app.post('/authorize', handler);
}
