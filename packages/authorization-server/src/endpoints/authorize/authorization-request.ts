import { checkPkce } from '../../checks/check-pkce.js';
import { checkPrompt } from '../../checks/check-prompt.js';
import { checkResource } from '../../checks/check-resource.js';
import {
  anyRegistersImplicit,
  checkResponseMode,
  checkResponseType,
  isImplicitResponseType,
  normalizeResponseType,
  type ResponseType,
} from '../../checks/check-response.js';
import { checkScope } from '../../checks/check-scope.js';
import { allowedResources } from '../../checks/client-resources.js';
import type { AsContext } from '../../context.js';
import type { Params } from '../../primitives/params.js';
import {
  InvalidRequestError,
  InvalidScopeError,
  RequestNotSupportedError,
  RequestUriNotSupportedError,
} from '../../protocol/errors.js';
import { verifyOwnToken } from '../../services/tokens/verify-own-token.js';
import type { RegisteredClient } from '../../stores/client-registry.js';
import { checkClientAndRedirectUri } from './check-client-and-redirect-uri.js';

export type ResponseMode = 'query' | 'fragment' | 'form_post';

/** Where an authorization response goes: known as soon as client and redirect URI are checked. */
export interface ResponseTarget {
  redirectUri: string;
  responseMode: ResponseMode;
  state: string | undefined;
}

/** A validated authorization request; plain data, so it can wait in the store during a login. */
export interface AuthorizationRequest extends ResponseTarget {
  clientId: string;
  /** `code`, or a legacy implicit type (then `responseMode` is `fragment`). Absent in interactions stored before implicit: `code`. */
  responseType?: ResponseType;
  scopes: string[];
  nonce: string | undefined;
  codeChallenge: string | undefined;
  prompt: string[];
  /** Seconds, when the client sent `max_age`. */
  maxAge: number | undefined;
  /** `sub` of a valid `id_token_hint`. */
  hintSub: string | undefined;
  loginHint: string | undefined;
  audience: string;
}

const maxStateLength = 4096;

/**
 * Runs the authorization endpoint's checks in order. The first two decide whether anything may be
 * sent back to the client at all (failures throw `PageError`); after them, failures are OAuth errors
 * redirected to the validated `redirect_uri` (the caller has the target from `target`).
 */
export async function readAuthorizationRequest(
  context: AsContext,
  params: Params,
  onTarget: (target: ResponseTarget) => void,
): Promise<{ client: RegisteredClient; request: AuthorizationRequest }> {
  const { client, redirectUri } = await checkClientAndRedirectUri(context, params);
  // state and response_mode are needed to answer even an error; a repeated one cannot be echoed.
  const rawState = params.isUnreadable('state') ? undefined : params.get('state');
  const implicitOffered = client.grant_types.includes('implicit') || anyRegistersImplicit(context.clients.configured());
  const rawResponseType = params.isUnreadable('response_type') ? undefined : params.get('response_type');
  // Token responses, and the errors answering such requests, never go in a query (SECURITY.md §2,
  // RFC 6749 §4.2.2): the fragment is their only mode.
  const implicit = implicitOffered && isImplicitResponseType(normalizeResponseType(rawResponseType));
  const sentMode = params.isUnreadable('response_mode') ? undefined : params.get('response_mode');
  const responseMode = params.isUnreadable('response_mode') ? 'query' : checkResponseMode(sentMode);
  onTarget({ redirectUri, responseMode: implicit ? 'fragment' : (responseMode ?? 'query'), state: rawState });
  if (params.isUnreadable('state')) throw new InvalidRequestError('the state parameter must be sent once');
  if (responseMode === undefined) throw new InvalidRequestError('response_mode must be query, fragment or form_post');
  if (implicit && (params.isUnreadable('response_mode') || (sentMode !== undefined && sentMode !== 'fragment'))) {
    throw new InvalidRequestError('response_mode must be fragment for a token response type');
  }
  if (rawState !== undefined && rawState.length > maxStateLength) throw new InvalidRequestError('state is too long');

  if (params.has('request')) throw new RequestNotSupportedError('request objects are not supported');
  if (params.has('request_uri')) throw new RequestUriNotSupportedError('request_uri is not supported');
  const responseType = checkResponseType(params.get('response_type'), client, implicitOffered);
  const scopes = checkScope(params.get('scope'), client);
  if (isImplicitResponseType(responseType)) checkImplicitScopes(responseType, scopes);
  // PKCE binds a code to its redemption; the implicit grant has neither, so its parameters are ignored.
  const codeChallenge =
    responseType === 'code'
      ? checkPkce(params.get('code_challenge'), params.get('code_challenge_method'), client)
      : undefined;
  const { prompt, maxAge } = checkPrompt(params.get('prompt'), params.get('max_age'));
  const nonce = params.get('nonce');
  if (nonce !== undefined && nonce.length > maxStateLength) throw new InvalidRequestError('nonce is too long');
  // OpenID Core §3.2.2.1: an ID token sent through the browser must be bound to the request.
  if (responseType === 'id_token token' && nonce === undefined) {
    throw new InvalidRequestError('nonce is required when an ID token is returned from the authorization endpoint');
  }
  const audience = checkResource(
    params.get('resource'),
    allowedResources(client, context.config.resources),
    context.config.issuer,
  );
  const hintSub = await readIdTokenHint(context, params.get('id_token_hint'), client.client_id);
  const loginHint = params.get('login_hint');
  return {
    client,
    request: {
      clientId: client.client_id,
      responseType,
      redirectUri,
      responseMode: isImplicitResponseType(responseType) ? 'fragment' : responseMode,
      state: rawState,
      scopes,
      nonce,
      codeChallenge,
      prompt,
      maxAge,
      hintSub,
      loginHint: loginHint && loginHint.length <= 254 ? loginHint : undefined,
      audience,
    },
  };
}

/** No refresh token from the implicit grant, ever; an ID token needs `openid`. */
function checkImplicitScopes(responseType: ResponseType, scopes: readonly string[]): void {
  if (scopes.includes('offline_access')) {
    throw new InvalidScopeError('offline_access is not available with a token response type');
  }
  if (responseType === 'id_token token' && !scopes.includes('openid')) {
    throw new InvalidScopeError('response_type id_token token needs the openid scope');
  }
}

async function readIdTokenHint(context: AsContext, hint: string | undefined, clientId: string) {
  if (hint === undefined) return undefined;
  const payload = await verifyOwnToken(
    context.keys,
    context.config.issuer,
    hint,
    { types: ['JWT'], allowExpired: true },
    context.now(),
  );
  const audience = payload?.aud;
  const forClient = Array.isArray(audience) ? audience.includes(clientId) : audience === clientId;
  if (!payload || typeof payload.sub !== 'string' || !forClient) {
    throw new InvalidRequestError('id_token_hint is not an ID token this provider issued to this client');
  }
  return payload.sub;
}
