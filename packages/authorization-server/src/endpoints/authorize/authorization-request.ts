import { checkPkce } from '../../checks/check-pkce.js';
import { checkPrompt } from '../../checks/check-prompt.js';
import { checkResource } from '../../checks/check-resource.js';
import { anyRegistersImplicit, checkResponseMode, checkResponseType } from '../../checks/check-response.js';
import { checkScope } from '../../checks/check-scope.js';
import { allowedResources } from '../../checks/client-resources.js';
import type { Params } from '../../primitives/params.js';
import {
  type AuthorizationRequest,
  isImplicitResponseType,
  normalizeResponseType,
  type ResponseMode,
  type ResponseTarget,
  type ResponseType,
} from '../../protocol/authorization-request.js';
import type { RegisteredClient } from '../../protocol/client-metadata.js';
import {
  InvalidRequestError,
  InvalidScopeError,
  RequestNotSupportedError,
  RequestUriNotSupportedError,
} from '../../protocol/errors.js';
import { verifyOwnToken } from '../../services/tokens/verify-own-token.js';
import type { ClientRegistry } from '../../stores/client-registry.js';
import type { KeyRing } from '../../stores/key-ring.js';
import { checkClientAndRedirectUri } from './check-client-and-redirect-uri.js';

/** What reading an authorization request uses. */
export interface AuthorizationRequestDeps {
  clients: Pick<ClientRegistry, 'find' | 'configured'>;
  keys: KeyRing;
  config: { readonly issuer: string; readonly resources: readonly string[] };
  now: () => number;
}

/** The request as the steps have decided it so far: each step reads parameters and adds its decision. */
interface Draft {
  readonly params: Params;
  client: RegisteredClient;
  redirectUri: string;
  state: string | undefined;
  /** Whether any client may use the implicit grant (then token response types are known values). */
  implicitOffered: boolean;
  /** The response mode asked for (`query` when unreadable); undefined when it is not one we know. */
  responseMode: ResponseMode | undefined;
  responseType: ResponseType;
  scopes: string[];
  codeChallenge: string | undefined;
  prompt: string[];
  maxAge: number | undefined;
  nonce: string | undefined;
  audience: string;
  hintSub: string | undefined;
  loginHint: string | undefined;
}

interface Step {
  /** What the step decides, for readers and for failures in logs. */
  readonly name: string;
  run(draft: Draft, deps: AuthorizationRequestDeps): void | Promise<void>;
}

const maxStateLength = 4096;
const maxLoginHintLength = 254;

/**
 * The authorization endpoint's checks after the client and its redirect URI, in the order they run
 * (their failures are OAuth errors, redirected to the validated `redirect_uri`).
 */
const steps: readonly Step[] = [
  {
    name: 'state and response_mode',
    run({ params, state, responseMode, implicitOffered }) {
      if (params.isUnreadable('state')) throw new InvalidRequestError('the state parameter must be sent once');
      if (responseMode === undefined)
        throw new InvalidRequestError('response_mode must be query, fragment or form_post');
      const implicit =
        implicitOffered && isImplicitResponseType(normalizeResponseType(readable(params, 'response_type')));
      const sent = readable(params, 'response_mode');
      if (implicit && (params.isUnreadable('response_mode') || (sent !== undefined && sent !== 'fragment'))) {
        throw new InvalidRequestError('response_mode must be fragment for a token response type');
      }
      if (state !== undefined && state.length > maxStateLength) throw new InvalidRequestError('state is too long');
    },
  },
  {
    name: 'request objects',
    run({ params }) {
      if (params.has('request')) throw new RequestNotSupportedError('request objects are not supported');
      if (params.has('request_uri')) throw new RequestUriNotSupportedError('request_uri is not supported');
    },
  },
  {
    name: 'response_type',
    run(draft) {
      draft.responseType = checkResponseType(draft.params.get('response_type'), draft.client, draft.implicitOffered);
    },
  },
  {
    name: 'scope',
    run(draft) {
      draft.scopes = checkScope(draft.params.get('scope'), draft.client);
      if (isImplicitResponseType(draft.responseType)) checkImplicitScopes(draft.responseType, draft.scopes);
    },
  },
  {
    name: 'PKCE',
    run(draft) {
      const { params } = draft;
      // PKCE binds a code to its redemption; the implicit grant has neither, so its parameters are ignored.
      draft.codeChallenge =
        draft.responseType === 'code'
          ? checkPkce(params.get('code_challenge'), params.get('code_challenge_method'), draft.client)
          : undefined;
    },
  },
  {
    name: 'prompt and max_age',
    run(draft) {
      const { prompt, maxAge } = checkPrompt(draft.params.get('prompt'), draft.params.get('max_age'));
      draft.prompt = prompt;
      draft.maxAge = maxAge;
    },
  },
  {
    name: 'nonce',
    run(draft) {
      const nonce = draft.params.get('nonce');
      if (nonce !== undefined && nonce.length > maxStateLength) throw new InvalidRequestError('nonce is too long');
      // OpenID Core §3.2.2.1: an ID token sent through the browser must be bound to the request.
      if (draft.responseType === 'id_token token' && nonce === undefined) {
        throw new InvalidRequestError('nonce is required when an ID token is returned from the authorization endpoint');
      }
      draft.nonce = nonce;
    },
  },
  {
    name: 'resource',
    run(draft, { config }) {
      const allowed = allowedResources(draft.client, config.resources);
      draft.audience = checkResource(draft.params.get('resource'), allowed, config.issuer);
    },
  },
  {
    name: 'id_token_hint',
    async run(draft, deps) {
      draft.hintSub = await readIdTokenHint(deps, draft.params.get('id_token_hint'), draft.client.client_id);
    },
  },
  {
    name: 'login_hint',
    run(draft) {
      const hint = draft.params.get('login_hint');
      draft.loginHint = hint && hint.length <= maxLoginHintLength ? hint : undefined;
    },
  },
];

/**
 * Reads an authorization request: first the client and its redirect URI (failures are pages, since
 * nothing may go to an unverified address), then `onTarget` learns where errors go, then `steps` run
 * in order.
 */
export async function readAuthorizationRequest(
  deps: AuthorizationRequestDeps,
  params: Params,
  onTarget: (target: ResponseTarget) => void,
): Promise<{ client: RegisteredClient; request: AuthorizationRequest }> {
  const { client, redirectUri } = await checkClientAndRedirectUri(deps.clients, params);
  const draft = {
    params,
    client,
    redirectUri,
    implicitOffered: client.grant_types.includes('implicit') || anyRegistersImplicit(deps.clients.configured()),
  } as Draft;
  // state and response_mode are needed to answer even an error; a repeated one cannot be echoed.
  draft.state = readable(params, 'state');
  draft.responseMode = params.isUnreadable('response_mode') ? 'query' : checkResponseMode(params.get('response_mode'));
  onTarget(responseTarget(draft));
  for (const step of steps) await step.run(draft, deps);
  return { client, request: toRequest(draft) };
}

/** Token responses, and errors answering such requests, never go in a query (RFC 6749 §4.2.2). */
function responseTarget(draft: Draft): ResponseTarget {
  const implicit =
    draft.implicitOffered && isImplicitResponseType(normalizeResponseType(readable(draft.params, 'response_type')));
  return {
    redirectUri: draft.redirectUri,
    responseMode: implicit ? 'fragment' : (draft.responseMode ?? 'query'),
    state: draft.state,
  };
}

function toRequest(draft: Draft): AuthorizationRequest {
  return {
    clientId: draft.client.client_id,
    responseType: draft.responseType,
    redirectUri: draft.redirectUri,
    responseMode: isImplicitResponseType(draft.responseType) ? 'fragment' : (draft.responseMode as ResponseMode),
    state: draft.state,
    scopes: draft.scopes,
    nonce: draft.nonce,
    codeChallenge: draft.codeChallenge,
    prompt: draft.prompt,
    maxAge: draft.maxAge,
    hintSub: draft.hintSub,
    loginHint: draft.loginHint,
    audience: draft.audience,
  };
}

/** A parameter's value, or undefined when it is absent or cannot be read (sent twice, control characters). */
function readable(params: Params, name: string): string | undefined {
  return params.isUnreadable(name) ? undefined : params.get(name);
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

async function readIdTokenHint(deps: AuthorizationRequestDeps, hint: string | undefined, clientId: string) {
  if (hint === undefined) return undefined;
  const rules = { types: ['JWT'], allowExpired: true };
  const payload = await verifyOwnToken(deps.keys, deps.config.issuer, hint, rules, deps.now());
  const audience = payload?.aud;
  const forClient = Array.isArray(audience) ? audience.includes(clientId) : audience === clientId;
  if (!payload || typeof payload.sub !== 'string' || !forClient) {
    throw new InvalidRequestError('id_token_hint is not an ID token this provider issued to this client');
  }
  return payload.sub;
}
