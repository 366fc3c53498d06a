import { sourceAddress } from '@gatehouse/server-kit';
import type { FastifyInstance } from 'fastify';
import { maxPasswordLength } from '../../checks/password-policy.js';
import type { AsContext } from '../../context.js';
import { sendFormExpired, sendInteractionRefused } from '../../http/error-page-reply.js';
import { isOwnFormPost } from '../../http/form-csrf.js';
import { formParams, requestParams } from '../../http/request-params.js';
import { completeSignIn } from '../../services/accounts/complete-sign-in.js';
import { sendLoginPage } from '../login-page-reply.js';

/** `GET/POST /login`: email and password, throttled, then the pending interaction or the profile. */
export function registerSignInPage(app: FastifyInstance, context: AsContext): void {
  const base = context.basePath;

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
    if (!isOwnFormPost(context, request, params)) return sendFormExpired(reply);
    const interaction = params.get('interaction');
    // Only the browser that started an authorization request may sign in on it (SECURITY.md §4).
    if (interaction !== undefined) {
      const opened = await context.interactions.open(interaction, request.headers.cookie);
      if (typeof opened === 'string') return sendInteractionRefused(reply, opened);
    }
    const email = (params.get('email') ?? '').trim();
    const password = params.get('password') ?? '';
    // The attempt is counted before the password is verified, so parallel guesses cannot pass a limit.
    const source = sourceAddress(request);
    const attempt = await context.throttle.begin(email, source);
    if (!attempt.allowed) {
      context.events.emit('rate_limit_refused', { limit: 'login', source_address: source });
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
      context.events.emit('sign_in_failed', {
        method: 'password',
        reason: 'invalid_credentials',
        source_address: source,
      });
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
    context.events.emit('sign_in_succeeded', { method: 'password', sub: account.sub });
    const cookieHeader = request.headers.cookie;
    const signedIn = await completeSignIn(context, cookieHeader, { sub: account.sub, amr: ['pwd'] }, interaction);
    const next = signedIn.interactionId ? `${base}/interaction/${signedIn.interactionId}` : `${base}/profile`;
    return reply.code(303).header('set-cookie', signedIn.setCookie).header('location', next).send();
  });
}
