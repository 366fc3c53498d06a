import type { FastifyReply } from 'fastify';
import type { AsContext } from '../../context.js';
import { OAuthError } from '../../errors.js';
import type { LoadedSession } from '../../sessions/provider-session.js';
import type { AuthorizationRequest } from './authorization-request.js';
import { sendAuthorizationError, sendAuthorizationResponse } from './authorization-response.js';
import { isImplicitResponseType } from './check-response.js';
import { issueCode } from './issue-code.js';
import { issueImplicit } from './issue-implicit.js';

/**
 * Answers an authorization the user has nothing left to do for, from `/authorize` or the interaction
 * pages alike: a code, or for the legacy implicit types the tokens themselves (in the fragment).
 */
export async function completeAuthorization(
  context: AsContext,
  reply: FastifyReply,
  request: AuthorizationRequest,
  session: LoadedSession,
): Promise<FastifyReply> {
  const issuer = context.config.issuer;
  try {
    const values = isImplicitResponseType(request.responseType)
      ? await issueImplicit(context, request, session)
      : { code: await issueCode(context, request, session) };
    return sendAuthorizationResponse(reply, request, issuer, values);
  } catch (error) {
    if (error instanceof OAuthError) return sendAuthorizationError(reply, request, issuer, error);
    throw error;
  }
}
