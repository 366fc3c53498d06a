import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AsContext } from '../context.js';
import { sendFormExpired, sendInteractionRefused } from '../http/error-page-reply.js';
import { csrfTokenFor, isOwnFormPost } from '../http/form-csrf.js';
import { sendPage } from '../http/page-headers.js';
import { formParams } from '../http/request-params.js';
import { originOf } from '../primitives/origin-of.js';
import type { RegisteredClient } from '../protocol/client-metadata.js';
import { AccessDeniedError, InvalidRequestError } from '../protocol/errors.js';
import type { Interaction } from '../stores/interactions.js';
import type { LoadedSession } from '../stores/provider-sessions.js';
import { renderConsentPage } from '../views/consent-page.js';
import { sendAuthorizationError } from './authorize/authorization-response.js';
import { completeAuthorization } from './authorize/complete-authorization.js';
import { nextStep } from './authorize/continue-authorization.js';
import { sendLoginPage } from './login-page-reply.js';

type IdParams = { Params: { id: string } };

/**
 * The pages between `/authorize` and the code (or implicit tokens): `GET /interaction/:id` shows whatever the request still
 * needs (login or consent) or finishes it. The login form posts to `/login` (see account pages) with
 * the interaction id; the consent form to `/interaction/:id/consent`. POSTs check the CSRF token and
 * answer 303.
 */
export function registerInteractionPages(app: FastifyInstance, context: AsContext): void {
  const base = context.basePath;

  app.get<IdParams>('/interaction/:id', async (request, reply) => {
    const found = await findInteraction(context, request, reply);
    if (!found) return reply;
    const { interaction, client } = found;
    const session = await context.sessions.load(request.headers.cookie);
    const step = await nextStep(context, client, interaction.request, session, interaction);
    if (step.kind === 'login') return sendLoginPage(context, request, reply, { interactionId: found.id });
    if (step.kind === 'consent' && session) return showConsent(context, request, reply, found, session);
    return finish(context, request, reply, session as LoadedSession);
  });

  app.post<IdParams>('/interaction/:id/consent', async (request, reply) => {
    const found = await findInteraction(context, request, reply);
    if (!found) return reply;
    const params = formParams(request);
    if (!isOwnFormPost(context, request, params)) return sendFormExpired(reply);
    const session = await context.sessions.load(request.headers.cookie);
    if (!session) return reply.code(303).header('location', `${base}/interaction/${request.params.id}`).send();
    const decision = params.get('decision');
    if (decision === 'deny') {
      const finished = await context.interactions.finish(request.params.id, request.headers.cookie);
      if (!finished) return sendInteractionRefused(reply, 'expired');
      return sendAuthorizationError(
        reply,
        finished.request,
        context.config.issuer,
        new AccessDeniedError('the user denied the request'),
      );
    }
    if (decision !== 'allow') throw new InvalidRequestError('decision must be allow or deny');
    const scopes = found.interaction.request.scopes.filter((scope) => scope !== 'openid');
    // Stored for the account that answered; the interaction only notes who answered, in which session.
    await context.consents.grant(session.session.sub, found.client.client_id, scopes, context.now());
    context.events.emit('consent_granted', {
      sub: session.session.sub,
      client_id: found.client.client_id,
      scope: scopes.join(' '),
    });
    await context.interactions.recordConsent(request.params.id, request.headers.cookie, {
      sub: session.session.sub,
      sid: session.session.sid,
    });
    return reply.code(303).header('location', `${base}/interaction/${request.params.id}`).send();
  });
}

interface FoundInteraction {
  id: string;
  interaction: Interaction;
  client: RegisteredClient;
}

async function findInteraction(context: AsContext, request: FastifyRequest<IdParams>, reply: FastifyReply) {
  const id = request.params.id;
  const interaction = await context.interactions.open(id, request.headers.cookie);
  if (typeof interaction === 'string') {
    sendInteractionRefused(reply, interaction);
    return undefined;
  }
  const client = await context.clients.find(interaction.request.clientId);
  if (!client) {
    sendInteractionRefused(reply, 'expired');
    return undefined;
  }
  return { id, interaction, client } satisfies FoundInteraction;
}

async function showConsent(
  context: AsContext,
  request: FastifyRequest,
  reply: FastifyReply,
  found: FoundInteraction,
  session: LoadedSession,
) {
  const account = await context.accounts.findBySub(session.session.sub);
  const html = renderConsentPage({
    action: `${context.basePath}/interaction/${found.id}/consent`,
    csrfToken: csrfTokenFor(context, request, reply),
    clientName: found.client.name,
    userEmail: account?.email ?? '',
    scopes: found.interaction.request.scopes,
  });
  return sendPage(reply, 200, html, { formTargets: formTargets(found) });
}

async function finish(
  context: AsContext,
  request: FastifyRequest<IdParams>,
  reply: FastifyReply,
  session: LoadedSession,
) {
  const finished = await context.interactions.finish(request.params.id, request.headers.cookie);
  if (!finished) return sendInteractionRefused(reply, 'expired');
  return completeAuthorization(context, reply, finished.request, session);
}

/** The client's redirect origin: the consent POST's 303 chain ends there, and `form-action` covers redirects. */
function formTargets(found: FoundInteraction): string[] {
  const origin = originOf(found.interaction.request.redirectUri);
  return origin ? [origin] : [];
}
