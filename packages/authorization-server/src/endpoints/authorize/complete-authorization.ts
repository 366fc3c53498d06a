import type { FastifyReply } from 'fastify';
import type { AsContext } from '../../context.js';
import type { AuthorizationRequest } from '../../protocol/authorization-request.js';
import { isImplicitResponseType } from '../../protocol/authorization-request.js';
import { OAuthError } from '../../protocol/errors.js';
import { issueCode } from '../../services/grants/issue-code.js';
import { issueImplicit } from '../../services/grants/issue-implicit.js';
import type { LoadedSession } from '../../stores/provider-sessions.js';
import { sendAuthorizationError, sendAuthorizationResponse } from './authorization-response.js';

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
