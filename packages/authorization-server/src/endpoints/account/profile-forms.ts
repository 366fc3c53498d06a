import { sourceAddress } from '@gatehouse/server-kit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AsContext } from '../../context.js';
import { sendFormExpired } from '../../http/error-page-reply.js';
import { isOwnFormPost } from '../../http/form-csrf.js';
import { formParams } from '../../http/request-params.js';
import type { Params } from '../../primitives/params.js';
import { changePassword } from '../../services/accounts/change-password.js';
import { deleteAccount } from '../../services/accounts/delete-account.js';
import { revokeClientAccess } from '../../services/accounts/revoke-client-access.js';
import { unlinkUpstream } from '../../services/accounts/unlink-upstream.js';
import { endProviderSession } from '../../services/logout/end-session.js';
import { showProfile } from './profile.js';

const maxNameLength = 200;

/**
 * The profile page's forms: name, password, revoking an app, unlinking an upstream, deleting the
 * account, signing out. Each checks the CSRF token and the session, and answers 303 on success.
 */
export function registerProfileForms(app: FastifyInstance, context: AsContext): void {
  const base = context.basePath;
  const backToProfile = (reply: FastifyReply, notice: string) =>
    reply.code(303).header('location', `${base}/profile?notice=${notice}`).send();

  app.post('/profile/name', async (request, reply) => {
    const form = await profileForm(request, reply);
    if (!form) return reply;
    const name = (form.params.get('name') ?? '').trim();
    if (name.length > maxNameLength) {
      const errors = { name: `Use at most ${maxNameLength} characters.` };
      return showProfile(context, request, reply, form.sub, { errors, status: 400 });
    }
    await context.accounts.update(form.sub, { name: name || null });
    return backToProfile(reply, 'saved');
  });

  app.post('/profile/password', async (request, reply) => {
    const form = await profileForm(request, reply);
    if (!form) return reply;
    const passwords = {
      current: form.params.get('current_password') ?? '',
      next: form.params.get('new_password') ?? '',
    };
    // The current password is checked like a sign-in, under the same throttle: a stolen session cookie
    // must not turn this form into a password oracle faster than the sign-in page.
    const email = (await context.accounts.findBySub(form.sub))?.email ?? '';
    const source = sourceAddress(request);
    const attempt = await context.throttle.begin(email, source);
    if (!attempt.allowed) {
      context.events.emit('rate_limit_refused', { limit: 'login', source_address: source });
      reply.header('retry-after', String(attempt.retryAfterSeconds));
      const errors = { currentPassword: 'Too many wrong passwords. Wait a little and try again.' };
      return showProfile(context, request, reply, form.sub, { errors, status: 429 });
    }
    const outcome = await changePassword(context, form.sub, passwords, form.sessionId);
    if (outcome.kind === 'wrong-current-password') {
      const wait = await attempt.failed();
      if (wait > 0) reply.header('retry-after', String(wait));
      const errors = { currentPassword: 'This is not your current password.' };
      return showProfile(context, request, reply, form.sub, { errors, status: wait > 0 ? 429 : 400 });
    }
    await attempt.succeeded();
    if (outcome.kind === 'refused') {
      return showProfile(context, request, reply, form.sub, { errors: { newPassword: outcome.problem }, status: 400 });
    }
    return backToProfile(reply, 'password');
  });

  app.post('/profile/revoke', async (request, reply) => {
    const form = await profileForm(request, reply);
    if (!form) return reply;
    const clientId = form.params.get('client_id');
    if (clientId) await revokeClientAccess(context, form.sub, clientId);
    return backToProfile(reply, 'revoked');
  });

  app.post('/profile/unlink', async (request, reply) => {
    const form = await profileForm(request, reply);
    if (!form) return reply;
    return backToProfile(reply, await unlinkUpstream(context, form.sub, form.params.get('upstream') ?? ''));
  });

  app.post('/profile/delete', async (request, reply) => {
    const form = await profileForm(request, reply);
    if (!form) return reply;
    if ((form.params.get('confirm') ?? '').trim() !== 'DELETE') {
      const errors = { deleteConfirm: 'Type DELETE to confirm.' };
      return showProfile(context, request, reply, form.sub, { errors, status: 400 });
    }
    await deleteAccount(context, form.sub);
    return reply
      .code(303)
      .header('set-cookie', context.sessions.clearCookie())
      .header('location', `${base}/login?deleted=1`)
      .send();
  });

  app.post('/profile/logout', async (request, reply) => {
    const params = formParams(request);
    if (!isOwnFormPost(context, request, params)) return sendFormExpired(reply);
    const session = await context.sessions.load(request.headers.cookie);
    if (session) await endProviderSession(context, session);
    return reply
      .code(303)
      .header('set-cookie', context.sessions.clearCookie())
      .header('location', `${base}/logout`)
      .send();
  });

  /** The form's parameters and the signed-in user, or undefined once the refusal has been sent. */
  async function profileForm(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<{ params: Params; sub: string; sessionId: string } | undefined> {
    const params = formParams(request);
    if (!isOwnFormPost(context, request, params)) {
      sendFormExpired(reply);
      return undefined;
    }
    const session = await context.sessions.load(request.headers.cookie);
    if (!session) {
      reply.code(303).header('location', `${base}/login`).send();
      return undefined;
    }
    return { params, sub: session.session.sub, sessionId: session.id };
  }
}
