import { sourceAddress } from '@gatehouse/server-kit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AsContext } from '../../context.js';
import { sendFormExpired } from '../../http/error-page-reply.js';
import { csrfTokenFor, isOwnFormPost } from '../../http/form-csrf.js';
import { sendPage } from '../../http/page-headers.js';
import { formParams, requestParams } from '../../http/request-params.js';
import { type RegistrationProblems, registerAccount } from '../../services/accounts/register-account.js';
import { renderRegisterPage } from '../../views/register-page.js';

type RegisterPageProblems = RegistrationProblems & { form?: string };

/** `GET/POST /register`: the registration form, then on to sign-in (keeping a pending interaction). */
export function registerRegisterPage(app: FastifyInstance, context: AsContext): void {
  const base = context.basePath;

  app.get('/register', async (request, reply) => {
    const interaction = requestParams(request).get('interaction');
    return showRegister(request, reply, interaction, {}, {});
  });

  app.post('/register', async (request, reply) => {
    const params = formParams(request);
    if (!isOwnFormPost(context, request, params)) return sendFormExpired(reply);
    const interaction = params.get('interaction');
    const form = {
      email: (params.get('email') ?? '').trim(),
      name: (params.get('name') ?? '').trim(),
      password: params.get('password') ?? '',
    };
    const values = { email: form.email, name: form.name };
    const source = sourceAddress(request);
    const outcome = await registerAccount(context, form, source);
    if (outcome.kind === 'invalid') return showRegister(request, reply, interaction, values, outcome.problems, 400);
    if (outcome.kind === 'too-many') {
      context.events.emit('rate_limit_refused', { limit: 'registration', source_address: source });
      reply.header('retry-after', String(outcome.retryAfterSeconds));
      const problem = 'Too many accounts were created from your network. Wait a while and try again.';
      return showRegister(request, reply, interaction, values, { form: problem }, 429);
    }
    const next = new URLSearchParams({ registered: '1', ...(interaction ? { interaction } : {}) });
    return reply.code(303).header('location', `${base}/login?${next}`).send();
  });

  async function showRegister(
    request: FastifyRequest,
    reply: FastifyReply,
    interaction: string | undefined,
    values: { email?: string; name?: string },
    errors: RegisterPageProblems,
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
}
