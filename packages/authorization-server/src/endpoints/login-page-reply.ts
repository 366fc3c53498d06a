import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AsContext } from '../context.js';
import { csrfTokenFor } from '../http/form-csrf.js';
import { sendPage } from '../http/page-headers.js';
import { originOf } from '../primitives/origin-of.js';
import { renderLoginPage } from '../views/login-page.js';

export interface LoginPageState {
  /** The pending authorization request this sign-in is for, if any. */
  interactionId?: string | undefined;
  /** Prefilled email (after a failed attempt); default the request's `login_hint`. */
  email?: string | undefined;
  error?: string | undefined;
  notice?: string | undefined;
  status?: number;
}

/**
 * The one sign-in page, for `/login` and for a pending request's interaction. For a pending request it
 * names the client and lets the form's redirect chain reach the client's redirect URI (Chromium
 * applies CSP `form-action` to the redirects after a POST).
 */
export async function sendLoginPage(
  context: AsContext,
  request: FastifyRequest,
  reply: FastifyReply,
  state: LoginPageState = {},
): Promise<FastifyReply> {
  const base = context.basePath;
  // Another browser's interaction is not named on this page: its id stays out of the forms.
  const pending = await context.interactions.find(state.interactionId, request.headers.cookie);
  const id = pending ? state.interactionId : undefined;
  const client = pending ? await context.clients.find(pending.request.clientId) : undefined;
  const target = pending ? originOf(pending.request.redirectUri) : undefined;
  const email = state.email || pending?.request.loginHint;
  const html = renderLoginPage({
    action: `${base}/login`,
    csrfToken: csrfTokenFor(context, request, reply),
    ...(email ? { email } : {}),
    ...(state.error ? { error: state.error } : {}),
    ...(state.notice && !state.error ? { notice: state.notice } : {}),
    ...(client ? { clientName: client.name } : {}),
    ...(context.config.registration ? { registerUrl: `${base}/register${id ? `?interaction=${id}` : ''}` } : {}),
    ...(id ? { hidden: { interaction: id } } : {}),
    upstreams: context.upstreams.providers.all.map((upstream) => ({
      action: `${base}/upstream/${upstream.name}/start`,
      displayName: upstream.displayName,
    })),
  });
  // The "Continue with …" forms end at the upstreams' authorization endpoints.
  const formTargets = [...(target ? [target] : []), ...context.upstreams.providers.formTargets()];
  return sendPage(reply, state.status ?? 200, html, { formTargets });
}
