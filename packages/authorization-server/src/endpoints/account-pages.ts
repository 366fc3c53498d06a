import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkNewPassword, maxPasswordLength } from '../checks/password-policy.js';
import type { AsContext } from '../context.js';
import { sendFormExpired, sendInteractionRefused } from '../http/error-page-reply.js';
import { csrfTokenFor, isOwnFormPost } from '../http/form-csrf.js';
import { sendPage } from '../http/page-headers.js';
import { formParams, requestParams } from '../http/request-params.js';
import { sourceAddress } from '../http/source-address.js';
import type { Params } from '../primitives/params.js';
import { completeSignIn } from '../services/accounts/complete-sign-in.js';
import { deleteAccount } from '../services/accounts/delete-account.js';
import { endProviderSession } from '../services/logout/end-session.js';
import { type ProfileUpstream, renderProfilePage } from '../views/profile-page.js';
import { renderRegisterPage } from '../views/register-page.js';
import { sendLoginPage } from './login-page-reply.js';

const emailPattern = /^[^\s@]{1,64}@[^\s@]{1,189}\.[^\s@]{1,63}$/;

/**
 * The account pages outside an authorization request: registration, a plain sign-in (for the
 * profile), and the profile with name, password, connected apps and sign-out. Every form POST checks
 * the CSRF token and answers 303 on success.
 */
export function registerAccountPages(app: FastifyInstance, context: AsContext): void {
  const base = context.basePath;
  const csrfOk = (request: FastifyRequest, params: Params) => isOwnFormPost(context, request, params);

  if (context.config.registration) {
    app.get('/register', async (request, reply) => {
      const interaction = requestParams(request).get('interaction');
      return showRegister(request, reply, interaction, {}, {});
    });

    app.post('/register', async (request, reply) => {
      const params = formParams(request);
      if (!csrfOk(request, params)) return sendFormExpired(reply);
      const interaction = params.get('interaction');
      const email = (params.get('email') ?? '').trim();
      const name = (params.get('name') ?? '').trim();
      const password = params.get('password') ?? '';
      const errors: { email?: string; password?: string; name?: string } = {};
      if (!emailPattern.test(email) || email.length > 254) errors.email = 'Enter a valid email address.';
      if (name.length > 200) errors.name = 'Use at most 200 characters.';
      const passwordProblem = checkNewPassword(password, email);
      if (passwordProblem) errors.password = passwordProblem;
      if (Object.keys(errors).length > 0)
        return showRegister(request, reply, interaction, { email, name }, errors, 400);
      // Each registration costs an argon2id hash: limited per source, counted before hashing.
      const registration = await context.rateLimiter.take(context.limits.registration, sourceAddress(request));
      if (registration.isOver) {
        reply.header('retry-after', String(registration.resetsInSeconds));
        const form = 'Too many accounts were created from your network. Wait a while and try again.';
        return showRegister(request, reply, interaction, { email, name }, { form }, 429);
      }
      // A taken address looks exactly like a new one: no account enumeration (SECURITY.md §4).
      await context.accounts.create({ email, password, name: name || undefined });
      const next = new URLSearchParams({ registered: '1', ...(interaction ? { interaction } : {}) });
      return reply.code(303).header('location', `${base}/login?${next}`).send();
    });
  }

  app.get('/login', async (request, reply) => {
    const params = requestParams(request);
    const notice = params.get('registered')
      ? 'Your account is ready. Sign in to continue.'
      : params.get('deleted')
        ? 'Your account was deleted.'
        : undefined;
    return sendLoginPage(context, request, reply, { interactionId: params.get('interaction'), notice });
  });

  app.post('/login', async (request, reply) => {
    const params = formParams(request);
    if (!csrfOk(request, params)) return sendFormExpired(reply);
    const interaction = params.get('interaction');
    // Only the browser that started an authorization request may sign in on it (SECURITY.md §4).
    if (interaction !== undefined) {
      const opened = await context.interactions.open(interaction, request.headers.cookie);
      if (typeof opened === 'string') return sendInteractionRefused(reply, opened);
    }
    const email = (params.get('email') ?? '').trim();
    const password = params.get('password') ?? '';
    // The attempt is counted before the password is verified, so parallel guesses cannot pass a limit.
    const attempt = await context.throttle.begin(email, sourceAddress(request));
    if (!attempt.allowed) {
      reply.header('retry-after', String(attempt.retryAfterSeconds));
      return sendLoginPage(context, request, reply, {
        interactionId: interaction,
        error: 'Too many failed attempts. Wait a little and try again.',
        email,
        status: 429,
      });
    }
    const account =
      email && password.length <= maxPasswordLength
        ? await context.accounts.verifyCredentials(email, password)
        : undefined;
    if (!account) {
      const wait = await attempt.failed();
      if (wait > 0) reply.header('retry-after', String(wait));
      return sendLoginPage(context, request, reply, {
        interactionId: interaction,
        error: wait > 0 ? 'Wrong email or password. Wait a little before trying again.' : 'Wrong email or password.',
        email,
        status: wait > 0 ? 429 : 400,
      });
    }
    await attempt.succeeded();
    const signedIn = await completeSignIn(
      context,
      request.headers.cookie,
      { sub: account.sub, amr: ['pwd'] },
      interaction,
    );
    const next = signedIn.interactionId ? `${base}/interaction/${signedIn.interactionId}` : `${base}/profile`;
    return reply.code(303).header('set-cookie', signedIn.setCookie).header('location', next).send();
  });

  app.get('/profile', async (request, reply) => {
    const session = await context.sessions.load(request.headers.cookie);
    if (!session) return reply.code(303).header('location', `${base}/login`).send();
    return showProfile(request, reply, session.session.sub, requestParams(request).get('notice'));
  });

  app.post('/profile/name', async (request, reply) => {
    const { params, sub } = await profileForm(request, reply);
    if (!sub || !params) return reply;
    const name = (params.get('name') ?? '').trim();
    if (name.length > 200)
      return showProfile(request, reply, sub, undefined, { name: 'Use at most 200 characters.' }, 400);
    await context.accounts.update(sub, { name: name || null });
    return reply.code(303).header('location', `${base}/profile?notice=saved`).send();
  });

  app.post('/profile/password', async (request, reply) => {
    const { params, sub } = await profileForm(request, reply);
    if (!sub || !params) return reply;
    const account = await context.accounts.findBySub(sub);
    const current = params.get('current_password') ?? '';
    const next = params.get('new_password') ?? '';
    if (!account || !(await context.accounts.verifyCredentials(account.email, current))) {
      return showProfile(
        request,
        reply,
        sub,
        undefined,
        { currentPassword: 'This is not your current password.' },
        400,
      );
    }
    const problem = checkNewPassword(next, account.email);
    if (problem) return showProfile(request, reply, sub, undefined, { newPassword: problem }, 400);
    await context.accounts.setPassword(sub, next);
    // A new password ends every other session and every grant: whoever knew the old one is out.
    const current_ = await context.sessions.load(request.headers.cookie);
    for (const other of await context.sessions.ofUser(sub)) {
      if (other.id !== current_?.id) await endProviderSession(context, other);
    }
    for (const grant of await context.grants.ofUser(sub)) await context.grants.revoke(grant.grantId);
    return reply.code(303).header('location', `${base}/profile?notice=password`).send();
  });

  app.post('/profile/revoke', async (request, reply) => {
    const { params, sub } = await profileForm(request, reply);
    if (!sub || !params) return reply;
    const clientId = params.get('client_id');
    if (clientId) {
      await context.consents.revoke(sub, clientId);
      await context.grants.revokeClientGrants(clientId, sub);
    }
    return reply.code(303).header('location', `${base}/profile?notice=revoked`).send();
  });

  app.post('/profile/unlink', async (request, reply) => {
    const { params, sub } = await profileForm(request, reply);
    if (!sub || !params) return reply;
    const upstream = params.get('upstream') ?? '';
    const account = await context.accounts.findBySub(sub);
    const links = await context.upstreams.links.ofUser(sub);
    // Never leave an account no one can sign in to: the last way in stays (deleting the account is the way out).
    const otherWays = (account?.passwordHash ? 1 : 0) + links.filter((link) => link.upstream !== upstream).length;
    if (links.some((link) => link.upstream === upstream) && otherWays === 0)
      return reply.code(303).header('location', `${base}/profile?notice=last-method`).send();
    await context.upstreams.links.unlink(sub, upstream);
    await context.upstreams.tokens.remove(sub, upstream);
    return reply.code(303).header('location', `${base}/profile?notice=unlinked`).send();
  });

  app.post('/profile/delete', async (request, reply) => {
    const { params, sub } = await profileForm(request, reply);
    if (!sub || !params) return reply;
    if ((params.get('confirm') ?? '').trim() !== 'DELETE')
      return showProfile(request, reply, sub, undefined, { deleteConfirm: 'Type DELETE to confirm.' }, 400);
    await deleteAccount(context, sub);
    return reply
      .code(303)
      .header('set-cookie', context.sessions.clearCookie())
      .header('location', `${base}/login?deleted=1`)
      .send();
  });

  app.post('/profile/logout', async (request, reply) => {
    const params = formParams(request);
    if (!csrfOk(request, params)) return sendFormExpired(reply);
    const session = await context.sessions.load(request.headers.cookie);
    if (session) await endProviderSession(context, session);
    return reply
      .code(303)
      .header('set-cookie', context.sessions.clearCookie())
      .header('location', `${base}/logout`)
      .send();
  });

  async function profileForm(request: FastifyRequest, reply: FastifyReply) {
    const params = formParams(request);
    if (!csrfOk(request, params)) {
      sendFormExpired(reply);
      return {};
    }
    const session = await context.sessions.load(request.headers.cookie);
    if (!session) {
      reply.code(303).header('location', `${base}/login`).send();
      return {};
    }
    return { params, sub: session.session.sub };
  }

  async function showRegister(
    request: FastifyRequest,
    reply: FastifyReply,
    interaction: string | undefined,
    values: { email?: string; name?: string },
    errors: { email?: string; password?: string; name?: string; form?: string },
    status = 200,
  ) {
    // Like the sign-in page: another browser's interaction is not named here.
    const ours = interaction !== undefined && (await context.interactions.find(interaction, request.headers.cookie));
    const hidden = ours ? { interaction } : undefined;
    const html = renderRegisterPage({
      action: `${base}/register`,
      csrfToken: csrfTokenFor(context, request, reply),
      values,
      errors,
      loginUrl: `${base}/login${hidden ? `?interaction=${interaction}` : ''}`,
      ...(hidden ? { hidden } : {}),
    });
    return sendPage(reply, status, html);
  }

  async function showProfile(
    request: FastifyRequest,
    reply: FastifyReply,
    sub: string,
    noticeKey: string | undefined,
    errors: { name?: string; currentPassword?: string; newPassword?: string; deleteConfirm?: string } = {},
    status = 200,
  ) {
    const account = await context.accounts.findBySub(sub);
    if (!account)
      return reply
        .code(303)
        .header('set-cookie', context.sessions.clearCookie())
        .header('location', `${base}/login`)
        .send();
    const grants = await context.grants.ofUser(sub);
    const consents = await Promise.all(
      (await context.consents.ofUser(sub)).map(async (consent) => ({
        clientId: consent.clientId,
        clientName: (await context.clients.find(consent.clientId))?.name ?? consent.clientId,
        scopes: consent.scopes,
        offline: grants.some((grant) => grant.clientId === consent.clientId && grant.offline),
      })),
    );
    const notices: Record<string, string> = {
      saved: 'Your name was saved.',
      password: 'Your password was changed. Other sessions were signed out.',
      revoked: 'Access was revoked.',
      linked: 'The account was linked. You can now sign in with it.',
      unlinked: 'The account was unlinked and its tokens deleted.',
      'link-taken': 'That account is already linked to another account here. Nothing was changed.',
      'link-exists': 'You already have an account linked there. Unlink it first.',
      'last-method':
        'This is your only way to sign in, so it stays linked. Delete the account instead if you want to leave.',
    };
    const notice = noticeKey ? notices[noticeKey] : undefined;
    const html = renderProfilePage({
      csrfToken: csrfTokenFor(context, request, reply),
      account: {
        email: account.email,
        emailVerified: account.emailVerified,
        ...(account.name ? { name: account.name } : {}),
      },
      consents,
      errors,
      ...(notice ? { notice } : {}),
      hasPassword: account.passwordHash !== '',
      upstreams: await profileUpstreams(context, sub),
      paths: {
        updateName: `${base}/profile/name`,
        changePassword: `${base}/profile/password`,
        revokeConsent: `${base}/profile/revoke`,
        logout: `${base}/profile/logout`,
        unlinkUpstream: `${base}/profile/unlink`,
        deleteAccount: `${base}/profile/delete`,
      },
    });
    // Linking forms end at the upstreams' authorization endpoints.
    return sendPage(reply, status, html, { formTargets: context.upstreams.providers.formTargets() });
  }
}

/** Every configured upstream, with the user's link to it when there is one. */
async function profileUpstreams(context: AsContext, sub: string): Promise<ProfileUpstream[]> {
  const links = await context.upstreams.links.ofUser(sub);
  return Promise.all(
    context.upstreams.providers.all.map(async (upstream) => {
      const link = links.find((candidate) => candidate.upstream === upstream.name);
      const entry: ProfileUpstream = {
        name: upstream.name,
        displayName: upstream.displayName,
        linkAction: `${context.basePath}/upstream/${upstream.name}/start`,
      };
      if (!link) return entry;
      const status = await context.upstreams.tokens.status(sub, upstream.name);
      return { ...entry, linked: { label: link.label, needsReconsent: status === 'reconsent_required' } };
    }),
  );
}
