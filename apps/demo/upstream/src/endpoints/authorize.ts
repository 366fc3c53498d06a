import type { FastifyInstance, FastifyReply } from 'fastify';
import { OAuthError, PageError } from '../errors.js';
import type { GrantStore } from '../grant-store.js';
import type { ProviderConfig } from '../options.js';
import { formParams, type Params, queryParams } from '../params.js';
import { renderConsentPage, sendPage } from '../views/pages.js';
import { checkAuthorizationRequest, findClientAndRedirectUri } from './authorization-request.js';

/**
 * The authorization endpoint (RFC 6749 §4.1.1): GET checks the request and shows the consent page;
 * the page's form POSTs the user's choice back, and the browser is sent to the client with a code
 * or `access_denied`.
 */
export function registerAuthorize(app: FastifyInstance, config: ProviderConfig, store: GrantStore): void {
  app.get('/oauth/authorize', async (request, reply) => {
    const params = readOrPage(() => queryParams(request.url));
    const { client, redirectUri } = findClientAndRedirectUri(config.clients, params);
    let pending: ReturnType<typeof checkAuthorizationRequest>;
    try {
      pending = checkAuthorizationRequest(client, redirectUri, params);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      const { code, description } = error;
      return redirect(reply, redirectUri, { error: code, error_description: description, state: params.get('state') });
    }
    const page = renderConsentPage(client.clientId, store.savePending(pending), config.users.values());
    return sendPage(reply, 200, page, new URL(redirectUri).origin);
  });

  app.post('/oauth/authorize', async (request, reply) => {
    const params = readOrPage(() => formParams(request));
    const pending = store.takePending(params.get('request') ?? '');
    if (!pending)
      throw new PageError(
        'Request expired',
        'This sign-in request has expired or was already used. Go back to the app and start again.',
      );
    const { redirectUri, state } = pending;
    if (params.get('decision') === 'deny')
      return redirect(reply, redirectUri, { error: 'access_denied', error_description: 'the user declined', state });
    const user = config.users.get(params.get('user') ?? '');
    if (!user)
      throw new PageError('Unknown account', 'Choose one of the accounts offered. Go back to the app and start again.');
    return redirect(reply, redirectUri, { code: store.issueCode(pending, user.id), state });
  });
}

/** Parameters that do not parse cannot be trusted to name a redirect target: a page, not a redirect. */
function readOrPage(read: () => Params): Params {
  try {
    return read();
  } catch (error) {
    if (error instanceof OAuthError) throw new PageError('Invalid request', error.description);
    throw error;
  }
}

/** 303 to the client's redirect_uri with the response parameters added to its query (RFC 6749 §4.1.2). */
function redirect(reply: FastifyReply, redirectUri: string, response: Record<string, string | undefined>) {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(response)) if (value !== undefined) url.searchParams.set(name, value);
  return reply.code(303).header('location', url.href).header('cache-control', 'no-store').send();
}
