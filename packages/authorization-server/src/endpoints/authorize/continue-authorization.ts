import type { FastifyReply } from 'fastify';
import type { AsContext } from '../../context.js';
import type { AuthorizationRequest } from '../../protocol/authorization-request.js';
import type { RegisteredClient } from '../../protocol/client-metadata.js';
import { ConsentRequiredError, LoginRequiredError } from '../../protocol/errors.js';
import { type Interaction, isActedBy } from '../../stores/interactions.js';
import type { LoadedSession } from '../../stores/provider-sessions.js';
import { sendAuthorizationError } from './authorization-response.js';
import { completeAuthorization } from './complete-authorization.js';

/** `issue`: nothing is missing; the code (or, for implicit, the tokens) can be sent. */
export type NextStep = { kind: 'login' } | { kind: 'consent' } | { kind: 'issue' };

/**
 * What the request still needs from the user: a sign-in (none yet, `prompt=login`, `max_age`
 * exceeded, or an `id_token_hint` for someone else), consent (not yet given for these scopes,
 * `offline_access` always named, or `prompt=consent`), or nothing — then a code (or implicit tokens) is issued.
 *
 * What happened on the interaction counts only for the session it happened in: a sign-in made there
 * meets `prompt=login`/`max_age` while that session is the browser's current one, and an "Allow" there
 * meets `prompt=consent` for that account. Whether the account consented at all is always read from
 * its stored consent, never from the interaction (SECURITY.md §4).
 */
export async function nextStep(
  context: AsContext,
  client: RegisteredClient,
  request: AuthorizationRequest,
  session: LoadedSession | undefined,
  interaction: Pick<Interaction, 'signIn' | 'consent'> = {},
): Promise<NextStep> {
  const nowSeconds = Math.floor(context.now() / 1000);
  const signedInHere = isActedBy(interaction.signIn, session);
  const needsLogin =
    !session ||
    (request.prompt.includes('login') && !signedInHere) ||
    // max_age=0 is prompt=login (OpenID Core errata), even within the second of the last sign-in.
    (request.maxAge !== undefined &&
      (request.maxAge === 0 || nowSeconds - session.session.authTime > request.maxAge) &&
      !signedInHere) ||
    (request.hintSub !== undefined && request.hintSub !== session.session.sub);
  if (needsLogin) return { kind: 'login' };
  const sub = session.session.sub;
  const consentScopes = request.scopes.filter((scope) => scope !== 'openid');
  const needsConsent =
    (request.prompt.includes('consent') && !isActedBy(interaction.consent, session)) ||
    (!client.skip_consent && !(await context.consents.covers(sub, client.client_id, consentScopes))) ||
    (request.scopes.includes('offline_access') &&
      !(await context.consents.covers(sub, client.client_id, ['offline_access'])));
  return needsConsent ? { kind: 'consent' } : { kind: 'issue' };
}

/**
 * Carries an authorization request forward: issues the code (or implicit tokens) when nothing is missing; otherwise
 * answers `login_required`/`consent_required` for `prompt=none` (never a page), or sends the browser
 * to the interaction page.
 */
export async function continueAuthorization(
  context: AsContext,
  reply: FastifyReply,
  client: RegisteredClient,
  request: AuthorizationRequest,
  session: LoadedSession | undefined,
): Promise<FastifyReply> {
  const step = await nextStep(context, client, request, session);
  const issuer = context.config.issuer;
  if (step.kind === 'issue' && session) return completeAuthorization(context, reply, request, session);
  if (request.prompt.includes('none')) {
    const error =
      step.kind === 'login'
        ? new LoginRequiredError('the user is not signed in')
        : new ConsentRequiredError('the user has not consented to this client');
    return sendAuthorizationError(reply, request, issuer, error);
  }
  const { id, setCookie } = await context.interactions.start(request, reply.request.headers.cookie);
  return reply
    .code(303)
    .header('set-cookie', setCookie)
    .header('cache-control', 'no-store')
    .header('location', `${context.basePath}/interaction/${id}`)
    .send();
}
