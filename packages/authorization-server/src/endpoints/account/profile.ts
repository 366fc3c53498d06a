import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AsContext } from '../../context.js';
import { csrfTokenFor } from '../../http/form-csrf.js';
import { sendPage } from '../../http/page-headers.js';
import { requestParams } from '../../http/request-params.js';
import { type ProfileUpstream, renderProfilePage } from '../../views/profile-page.js';

export type ProfileProblems = { name?: string; currentPassword?: string; newPassword?: string; deleteConfirm?: string };

/** What the profile's forms report back, by the `notice` key in the redirect after them. */
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

/** `GET /profile`: the signed-in user's account, connected apps and upstream accounts. */
export function registerProfilePage(app: FastifyInstance, context: AsContext): void {
  app.get('/profile', async (request, reply) => {
    const session = await context.sessions.load(request.headers.cookie);
    if (!session) return reply.code(303).header('location', `${context.basePath}/login`).send();
    return showProfile(context, request, reply, session.session.sub, {
      notice: requestParams(request).get('notice'),
    });
  });
}

/** Renders the profile page for `sub`, with a notice or the problems of a form just posted. */
export async function showProfile(
  context: AsContext,
  request: FastifyRequest,
  reply: FastifyReply,
  sub: string,
  shown: { notice?: string | undefined; errors?: ProfileProblems; status?: number },
) {
  const base = context.basePath;
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
  const notice = shown.notice ? notices[shown.notice] : undefined;
  const html = renderProfilePage({
    csrfToken: csrfTokenFor(context, request, reply),
    account: {
      email: account.email,
      emailVerified: account.emailVerified,
      ...(account.name ? { name: account.name } : {}),
    },
    consents,
    errors: shown.errors ?? {},
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
  return sendPage(reply, shown.status ?? 200, html, { formTargets: context.upstreams.providers.formTargets() });
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
