import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AsContext } from '../context.js';
import { sendFormExpired } from '../http/error-page-reply.js';
import { csrfTokenFor, isOwnFormPost } from '../http/form-csrf.js';
import { sendPage } from '../http/page-headers.js';
import { formParams, requestParams } from '../http/request-params.js';
import { originOf } from '../primitives/origin-of.js';
import type { Params } from '../primitives/params.js';
import type { RegisteredClient } from '../protocol/client-metadata.js';
import { PageError } from '../protocol/errors.js';
import { endProviderSession } from '../services/logout/end-session.js';
import { verifyOwnToken } from '../services/tokens/verify-own-token.js';
import { renderLoggedOutPage, renderLogoutConfirmPage } from '../views/logout-pages.js';

interface LogoutRequest {
  client: RegisteredClient | undefined;
  /** Where to send the browser afterwards: an exactly registered URI of that client, with `state`. */
  redirect: string | undefined;
  /** `sub` and `sid` of a valid `id_token_hint`. */
  hint: { sub: string; sid: string | undefined } | undefined;
}

/**
 * RP-Initiated Logout 1.0. With a valid `id_token_hint` (ours, untampered, possibly expired) for the
 * signed-in user, the session ends at once and the browser goes to the registered
 * `post_logout_redirect_uri`. Anything less — no hint, another user's hint — gets a confirmation page
 * whose POST carries a CSRF token, so a cross-site link cannot sign anyone out.
 */
export function registerEndSession(app: FastifyInstance, context: AsContext): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const params = requestParams(request);
    const logout = await readLogoutRequest(context, params);
    const session = await context.sessions.load(request.headers.cookie);
    const clearlyFromClient =
      logout.hint !== undefined && session !== undefined && logout.hint.sub === session.session.sub;
    if (clearlyFromClient && session) {
      await endProviderSession(context, session);
      return finishLogout(reply, context, logout);
    }
    if (!session) return finishLogout(reply, context, logout);
    const hidden: Record<string, string> = {};
    for (const name of ['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'state']) {
      const value = params.get(name);
      if (value !== undefined) hidden[name] = value;
    }
    const html = renderLogoutConfirmPage({
      action: `${context.basePath}/logout/confirm`,
      csrfToken: csrfTokenFor(context, request, reply),
      hidden,
      ...(logout.client ? { clientName: logout.client.name } : {}),
    });
    const target = logout.redirect ? originOf(logout.redirect) : undefined;
    return sendPage(reply, 200, html, { formTargets: target ? [target] : [] });
  };
  app.get('/logout', handler);
  app.post('/logout', handler);

  app.post('/logout/confirm', async (request, reply) => {
    const params = formParams(request);
    if (!isOwnFormPost(context, request, params)) {
      return sendFormExpired(reply);
    }
    const logout = await readLogoutRequest(context, params);
    if (params.get('decision') !== 'logout') {
      return reply.code(303).header('location', context.urls.profile).send();
    }
    const session = await context.sessions.load(request.headers.cookie);
    if (session) await endProviderSession(context, session);
    // A form POST answers 303: to the client's registered return address, or to our signed-out page.
    const location =
      logout.redirect ??
      `${context.basePath}/logged-out${logout.client ? `?client_id=${encodeURIComponent(logout.client.client_id)}` : ''}`;
    return reply.code(303).header('set-cookie', context.sessions.clearCookie()).header('location', location).send();
  });

  app.get('/logged-out', async (request, reply) => {
    const clientId = requestParams(request).get('client_id');
    const client = clientId === undefined ? undefined : await context.clients.find(clientId);
    return sendPage(reply, 200, renderLoggedOutPage(client ? { clientName: client.name } : {}));
  });
}

async function readLogoutRequest(context: AsContext, params: Params): Promise<LogoutRequest> {
  const hintToken = params.get('id_token_hint');
  let hint: LogoutRequest['hint'];
  let hintClientId: string | undefined;
  if (hintToken !== undefined) {
    const payload = await verifyOwnToken(
      context.keys,
      context.config.issuer,
      hintToken,
      { types: ['JWT'], allowExpired: true },
      context.now(),
    );
    if (!payload || typeof payload.sub !== 'string') {
      throw new PageError(
        400,
        'Sign-out refused',
        'The sign-out request carries an ID token this provider did not issue.',
      );
    }
    hint = { sub: payload.sub, sid: typeof payload.sid === 'string' ? payload.sid : undefined };
    hintClientId = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
  }
  const clientId = params.get('client_id');
  if (clientId !== undefined && hintClientId !== undefined && clientId !== hintClientId) {
    throw new PageError(400, 'Sign-out refused', 'The sign-out request names two different applications.');
  }
  const id = clientId ?? hintClientId;
  const client = id === undefined ? undefined : await context.clients.find(id);
  if (id !== undefined && !client)
    throw new PageError(400, 'Sign-out refused', 'The application that sent you here is not registered.');
  const postLogout = params.get('post_logout_redirect_uri');
  let redirect: string | undefined;
  if (postLogout !== undefined) {
    if (!client?.post_logout_redirect_uris.includes(postLogout)) {
      throw new PageError(
        400,
        'Sign-out refused',
        'The application asked to return to an address it has not registered, so you are not sent there.',
      );
    }
    const url = new URL(postLogout);
    const state = params.get('state');
    if (state !== undefined) url.searchParams.append('state', state);
    redirect = url.href;
  }
  return { client, redirect, hint };
}

function finishLogout(reply: FastifyReply, context: AsContext, logout: LogoutRequest) {
  reply.header('set-cookie', context.sessions.clearCookie());
  if (logout.redirect)
    return reply.code(303).header('cache-control', 'no-store').header('location', logout.redirect).send();
  return sendPage(reply, 200, renderLoggedOutPage(logout.client ? { clientName: logout.client.name } : {}));
}
