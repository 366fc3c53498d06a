import { buildAuthorizationUrl, parseCallback, requestTokens, type TokenResponse } from '@gatehouse/oidc-client';
import { sourceAddress } from '@gatehouse/server-kit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AsContext } from '../context.js';
import { sendErrorPage, sendFormExpired, sendInteractionRefused } from '../http/error-page-reply.js';
import { isOwnFormPost } from '../http/form-csrf.js';
import { formParams } from '../http/request-params.js';
import type { Account } from '../protocol/account.js';
import { completeSignIn } from '../services/accounts/complete-sign-in.js';
import { identifyUser, type UpstreamIdentity } from '../services/upstreams/upstream-identity.js';
import type { UpstreamTransaction } from '../stores/upstream-transactions.js';
import type { SignInFailure } from '../telemetry/security-events.js';
import { sendLoginPage } from './login-page-reply.js';

type NameParams = { Params: { name: string } };

/** The redirect URI to register at an upstream for this provider. */
export function upstreamCallbackUrl(context: AsContext, name: string): string {
  return `${context.config.issuer}/upstream/${name}/callback`;
}

/**
 * Sign-in with an upstream provider ("Continue with …"), and linking one to the signed-in account:
 * `POST /upstream/:name/start` (a CSRF-checked form from the login or profile page) sends the browser
 * to the upstream with code + PKCE S256, `state` (and `nonce` for OpenID); `GET /upstream/:name/callback`
 * checks `state` against this browser, `iss` (RFC 9207), redeems the code, validates the ID token (or
 * reads the profile API), then signs in — creating an account on the first visit — or links.
 * Failures at the upstream come back to the login page with the authorization request intact.
 */
export function registerUpstreamSignIn(app: FastifyInstance, context: AsContext): void {
  const base = context.basePath;
  const { upstreams } = context;

  app.post<NameParams>('/upstream/:name/start', async (request, reply) => {
    const params = formParams(request);
    if (!isOwnFormPost(context, request, params)) return sendFormExpired(reply);
    const config = upstreams.providers.config(request.params.name);
    if (!config) return sendErrorPage(reply, 404, 'Unknown provider', 'There is no sign-in provider by that name.');
    const interactionId = params.get('interaction');
    // As with a password: only the browser that started the authorization request signs in on it.
    if (interactionId !== undefined) {
      const opened = await context.interactions.open(interactionId, request.headers.cookie);
      if (typeof opened === 'string') return sendInteractionRefused(reply, opened);
    }
    const purpose = params.get('purpose') === 'link' ? 'link' : 'login';
    let linkSub: string | undefined;
    if (purpose === 'link') {
      const session = await context.sessions.load(request.headers.cookie);
      if (!session) return reply.code(303).header('location', `${base}/login`).send();
      linkSub = session.session.sub;
    }
    let resolved: Awaited<ReturnType<typeof upstreams.providers.resolve>>;
    try {
      resolved = await upstreams.providers.resolve(config.name);
    } catch (error) {
      request.log.warn({ upstream: config.name, err: { type: (error as Error).name } }, 'upstream discovery failed');
      return failBack(
        request,
        reply,
        { purpose, interactionId },
        `${config.displayName} cannot be reached right now. Try again in a moment.`,
        503,
      );
    }
    const started = await upstreams.transactions.start(request.headers.cookie, {
      upstream: config.name,
      purpose,
      ...(interactionId ? { interactionId } : {}),
      ...(linkSub ? { linkSub } : {}),
    });
    const location = buildAuthorizationUrl(resolved.metadata, {
      clientId: resolved.credentials.clientId,
      redirectUri: upstreamCallbackUrl(context, config.name),
      scopes: resolved.scopes,
      state: started.state,
      codeChallenge: started.codeChallenge,
      ...(resolved.verifyIdToken ? { nonce: started.nonce } : {}),
    });
    reply.header('set-cookie', started.setCookie);
    return reply.code(303).header('cache-control', 'no-store').header('location', location).send();
  });

  app.get<NameParams>('/upstream/:name/callback', async (request, reply) => {
    const config = upstreams.providers.config(request.params.name);
    if (!config) return sendErrorPage(reply, 404, 'Unknown provider', 'There is no sign-in provider by that name.');
    const query = new URLSearchParams(request.url.split('?')[1] ?? '');
    const resolved = await upstreams.providers.resolve(config.name).catch(() => undefined);
    if (!resolved)
      return sendErrorPage(reply, 503, 'Temporarily unavailable', `${config.displayName} cannot be reached right now.`);
    const result = parseUpstreamCallback(query, resolved.metadata);
    const finished = result.state
      ? await upstreams.transactions.finish(result.state, request.headers.cookie)
      : undefined;
    // Whatever the outcome, the binding goes once no other sign-in of this browser is open.
    if (finished?.setCookie) reply.header('set-cookie', finished.setCookie);
    const transaction = finished?.transaction;
    // Unknown, replayed, another browser's or another upstream's state: nothing is redeemed (login CSRF, mix-up).
    if (!transaction || transaction.upstream !== config.name) {
      return sendErrorPage(
        reply,
        400,
        'Sign-in expired',
        'This sign-in could not be matched to one started in this browser. Go back to the application and sign in again.',
      );
    }
    if (result.kind === 'invalid') {
      request.log.warn({ upstream: config.name, reason: result.reason }, 'upstream callback refused');
      signInFailed(request, transaction, 'upstream_refused');
      return failBack(
        request,
        reply,
        transaction,
        `${config.displayName} sent an answer that could not be trusted. Try again.`,
      );
    }
    if (result.kind === 'error') {
      const message =
        result.error === 'access_denied'
          ? `Signing in with ${config.displayName} was cancelled.`
          : `${config.displayName} could not sign you in (${result.error}).`;
      signInFailed(request, transaction, 'upstream_refused');
      return failBack(request, reply, transaction, message);
    }
    let tokens: TokenResponse;
    let identity: UpstreamIdentity;
    try {
      tokens = await requestTokens(
        resolved.metadata,
        resolved.credentials,
        {
          grant_type: 'authorization_code',
          code: result.code,
          redirect_uri: upstreamCallbackUrl(context, config.name),
          code_verifier: transaction.codeVerifier,
        },
        { fetch: context.fetch },
      );
      identity = await identifyUser(resolved, tokens, { nonce: transaction.nonce, now: context.now() }, context.fetch);
    } catch (error) {
      const detail = error as { name?: string; reason?: string; oauthError?: string };
      request.log.warn(
        { upstream: config.name, err: { type: detail.name, reason: detail.reason ?? detail.oauthError } },
        'upstream sign-in failed',
      );
      signInFailed(request, transaction, 'upstream_error');
      return failBack(request, reply, transaction, `${config.displayName} could not sign you in. Try again.`);
    }
    return transaction.purpose === 'link'
      ? finishLink(request, reply, transaction, identity, tokens)
      : finishLogin(request, reply, transaction, identity, tokens);
  });

  async function finishLogin(
    request: FastifyRequest,
    reply: FastifyReply,
    transaction: UpstreamTransaction,
    identity: UpstreamIdentity,
    tokens: TokenResponse,
  ) {
    const name = transaction.upstream;
    let account = await accountOfLink(name, identity.sub);
    if (!account) {
      // First visit: a new local account. Never one found by email — only an explicit link joins accounts.
      const created = await context.accounts.createFederated(identity);
      const linked = await upstreams.links.link(created.sub, name, identity.sub, labelOf(identity));
      account = linked === 'linked' ? created : await accountOfLink(name, identity.sub);
      if (linked !== 'linked') await context.accounts.delete(created.sub); // lost a race with a parallel first sign-in
    }
    if (!account || account.disabled) {
      signInFailed(request, transaction, 'account_disabled');
      return failBack(request, reply, transaction, 'This account cannot sign in.');
    }
    await upstreams.tokens.save(account.sub, name, tokens);
    context.events.emit('sign_in_succeeded', { method: 'upstream', sub: account.sub, upstream: name });
    const amr = [...new Set(['fed', ...identity.amr])];
    const signedIn = await completeSignIn(
      context,
      request.headers.cookie,
      { sub: account.sub, amr },
      transaction.interactionId,
    );
    const next = signedIn.interactionId ? `${base}/interaction/${signedIn.interactionId}` : `${base}/profile`;
    return reply.code(303).header('set-cookie', signedIn.setCookie).header('location', next).send();
  }

  async function finishLink(
    request: FastifyRequest,
    reply: FastifyReply,
    transaction: UpstreamTransaction,
    identity: UpstreamIdentity,
    tokens: TokenResponse,
  ) {
    const session = await context.sessions.load(request.headers.cookie);
    // Only the user who asked, still signed in, gets the link.
    if (!session || session.session.sub !== transaction.linkSub)
      return sendErrorPage(reply, 400, 'Sign-in expired', 'Sign in again, then link the account from your profile.');
    const sub = session.session.sub;
    const outcome = await upstreams.links.link(sub, transaction.upstream, identity.sub, labelOf(identity));
    if (outcome === 'linked') await upstreams.tokens.save(sub, transaction.upstream, tokens);
    const notice = outcome === 'linked' ? 'linked' : outcome === 'taken' ? 'link-taken' : 'link-exists';
    return reply.code(303).header('location', `${base}/profile?notice=${notice}`).send();
  }

  async function accountOfLink(upstream: string, upstreamSub: string): Promise<Account | undefined> {
    const link = await upstreams.links.find(upstream, upstreamSub);
    return link ? context.accounts.findBySub(link.sub) : undefined;
  }

  /** A failed sign-in at an upstream is a security event; a failed link is the signed-in user's own business. */
  function signInFailed(request: FastifyRequest, transaction: UpstreamTransaction, reason: SignInFailure) {
    if (transaction.purpose !== 'login') return;
    context.events.emit('sign_in_failed', {
      method: 'upstream',
      reason,
      upstream: transaction.upstream,
      source_address: sourceAddress(request),
    });
  }

  /** Back where the user started: the login page (request intact) or the profile, with a message. */
  function failBack(
    request: FastifyRequest,
    reply: FastifyReply,
    transaction: Pick<UpstreamTransaction, 'purpose' | 'interactionId'>,
    message: string,
    status = 400,
  ) {
    if (transaction.purpose === 'link')
      return sendErrorPage(reply, status, 'Linking failed', `${message} Your account was not changed.`);
    return sendLoginPage(context, request, reply, { interactionId: transaction.interactionId, error: message, status });
  }
}

/** `parseCallback` with the upstream's issuer rules: OpenID providers that advertise RFC 9207 must send `iss`. */
function parseUpstreamCallback(
  query: URLSearchParams,
  metadata: { issuer: string; authorization_response_iss_parameter_supported?: boolean },
) {
  return parseCallback(query, {
    issuer: metadata.issuer,
    issuerParameterRequired: metadata.authorization_response_iss_parameter_supported === true,
  });
}

function labelOf(identity: UpstreamIdentity): string {
  return identity.email ?? identity.name ?? identity.sub;
}
