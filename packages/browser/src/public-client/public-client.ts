import { type AppState, saveAppState, takeAppState } from '../redirect-state/redirect-state.js';
import { isAuthorizedUrl } from './authorized-urls.js';
import { randomValue, toBase64Url } from './base64url.js';
import { AccessTokenNotAvailableError, SignInError } from './errors.js';
import { checkIdTokenClaims, type IdTokenClaims } from './id-token-claims.js';

export interface PublicClientOptions {
  /** The provider's issuer URL; its metadata is discovered from it. */
  authority: string;
  clientId: string;
  /** Where the provider sends the browser back; call `completeSignIn()` on that page. */
  redirectUri: string;
  /** Scopes requested at sign-in. Default `['openid']`. */
  scopes?: string[];
  /** Where the provider sends the browser after sign-out. Default: this origin's root. */
  postLogoutRedirectUri?: string;
  /** Renew this many seconds before the access token expires. Default 60. */
  renewalMarginSeconds?: number;
  /**
   * A page of this origin that calls `notifySilentSignIn()` (and nothing else), registered as a
   * redirect URI: where `trySilentSignIn()` sends its hidden iframe. Needed only for that.
   */
  silentRedirectUri?: string;
  /**
   * Shapes what `user()` returns from the ID-token claims (for example one entry per `amr` value).
   * Default: the claims as they are.
   */
  userFactory?: (claims: IdTokenClaims) => IdTokenClaims;
}

/** How a silent sign-in ended: signed in, or why not (the provider's code, a timeout, or a failure). */
export type SilentSignInResult =
  | { status: 'signed-in'; claims: IdTokenClaims }
  | { status: 'login_required' | 'consent_required' | 'interaction_required' | 'timeout' }
  | { status: 'failed'; error: string };

/** The message a silent callback page posts to its parent. */
export const silentSignInMessageType = 'gatehouse-silent-sign-in';
const silentOutcomes = new Set(['login_required', 'consent_required', 'interaction_required']);

/** The result of asking for a token: one, or the way to get one by signing in (the `TryGetToken` idea). */
export type AccessTokenResult =
  | { status: 'ok'; accessToken: string; expiresAt: number }
  | { status: 'redirect'; redirect: (options?: { returnUrl?: string; state?: AppState }) => Promise<void> };

export interface PublicClient {
  /** Starts a sign-in: code + PKCE S256, fresh `state` and `nonce`, app `state` kept in this tab. */
  signIn(options?: { returnUrl?: string; state?: AppState; prompt?: 'login' | 'none' }): Promise<void>;
  /** On the redirect URI page: checks and redeems the response, then cleans the address bar. */
  completeSignIn(url?: string): Promise<{ returnUrl: string; state: AppState | undefined }>;
  /** The signed-in user's ID-token claims, or `null`. */
  user(): IdTokenClaims | null;
  /**
   * Signs in without showing anything: `prompt=none` in a hidden iframe on `silentRedirectUri`. Works
   * only where the provider's session cookie reaches a frame — same-site providers, or browsers that
   * still send third-party cookies; otherwise expect `login_required`, and use `signIn({ prompt:
   * 'none' })` (a top-level redirect) instead.
   */
  trySilentSignIn(options?: { timeoutMs?: number }): Promise<SilentSignInResult>;
  /** An access token, renewed with the refresh token when needed; never throws for "sign in first". */
  requestAccessToken(): Promise<AccessTokenResult>;
  /**
   * A `fetch` that attaches the access token only to the authorized URL prefixes and throws
   * {@link AccessTokenNotAvailableError} when none can be had without the user.
   */
  createAuthorizedFetch(
    authorizedUrls: readonly string[],
  ): (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
  /** Forgets the tokens and signs out at the provider. */
  signOut(): Promise<void>;
}

interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
  authorization_response_iss_parameter_supported?: boolean;
}

interface Tokens {
  accessToken: string;
  expiresAt: number;
  refreshToken: string | undefined;
  idToken: string;
  claims: IdTokenClaims;
}

const transactionPrefix = 'gatehouse.signin.';

/**
 * A browser-based public client for apps with no backend (the OAuth browser-based-apps BCP): tokens
 * live in this tab's memory only — never in localStorage, sessionStorage, IndexedDB or cookies — and
 * are renewed with the rotating refresh token, one renewal at a time across tabs (Web Locks).
 *
 * @example
 * const client = createPublicClient({ authority, clientId: 'spa', redirectUri: `${location.origin}/callback`, scopes: ['openid', 'api'] });
 * const api = client.createAuthorizedFetch(['https://api.example.com/v1']);
 */
export function createPublicClient(options: PublicClientOptions): PublicClient {
  const scopes = options.scopes ?? ['openid'];
  const marginMs = (options.renewalMarginSeconds ?? 60) * 1000;
  let metadata: Promise<ProviderMetadata> | undefined;
  let tokens: Tokens | undefined;

  function discover(): Promise<ProviderMetadata> {
    metadata ??= fetch(`${options.authority.replace(/\/$/, '')}/.well-known/openid-configuration`)
      .then((response) =>
        response.ok ? response.json() : Promise.reject(new Error(`discovery answered ${response.status}`)),
      )
      .then((found: ProviderMetadata) => {
        if (found.issuer !== options.authority) throw new Error('discovery names another issuer');
        return found;
      })
      .catch((error: unknown) => {
        metadata = undefined; // try again next time
        throw error;
      });
    return metadata;
  }

  async function tokenRequest(params: Record<string, string>): Promise<Record<string, unknown>> {
    const provider = await discover();
    const response = await fetch(provider.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ ...params, client_id: options.clientId }),
    });
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok || typeof body.access_token !== 'string') {
      throw new SignInError(
        typeof body.error === 'string' ? body.error : 'token_request_failed',
        'token request failed',
      );
    }
    return body;
  }

  /** Prepares a code + PKCE authorization (transaction kept in this tab) and returns its URL. */
  async function beginAuthorization(
    signInOptions: { returnUrl?: string; state?: AppState; prompt?: 'login' | 'none' },
    redirectUri: string,
  ): Promise<string> {
    const provider = await discover();
    const state = randomValue(32);
    const nonce = randomValue(32);
    const verifier = randomValue(32);
    const challenge = toBase64Url(
      new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
    );
    const transaction = {
      nonce,
      verifier,
      redirectUri,
      returnUrl: signInOptions.returnUrl ?? `${location.pathname}${location.search}${location.hash}`,
      appStateId: signInOptions.state ? saveAppState(signInOptions.state) : null,
    };
    sessionStorage.setItem(transactionPrefix + state, JSON.stringify(transaction));
    const url = new URL(provider.authorization_endpoint);
    const params: Record<string, string> = {
      response_type: 'code',
      client_id: options.clientId,
      redirect_uri: redirectUri,
      scope: scopes.join(' '),
      state,
      nonce,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    if (signInOptions.prompt) params.prompt = signInOptions.prompt;
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url.toString();
  }

  async function signIn(signInOptions: { returnUrl?: string; state?: AppState; prompt?: 'login' | 'none' } = {}) {
    location.assign(await beginAuthorization(signInOptions, options.redirectUri));
  }

  /** Waits for the silent callback page in `frame` to post its URL; undefined on timeout. */
  function awaitSilentAnswer(frame: HTMLIFrameElement, timeoutMs: number): Promise<string | undefined> {
    return new Promise((resolve) => {
      const finish = (answer: string | undefined) => {
        clearTimeout(timer);
        window.removeEventListener('message', onMessage);
        frame.remove();
        resolve(answer);
      };
      // Only our own frame, from our own origin, with our message shape: anything else is ignored.
      const onMessage = (event: MessageEvent) => {
        if (event.source !== frame.contentWindow || event.origin !== location.origin) return;
        const data = event.data as { type?: unknown; url?: unknown } | null;
        if (data?.type === silentSignInMessageType && typeof data.url === 'string') finish(data.url);
      };
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      window.addEventListener('message', onMessage);
    });
  }

  function keep(body: Record<string, unknown>, nonce: string | undefined, previous?: Tokens): Tokens {
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : 300;
    let claims = previous?.claims;
    if (typeof body.id_token === 'string') {
      claims = checkIdTokenClaims(body.id_token, {
        issuer: options.authority,
        clientId: options.clientId,
        nonce: nonce ?? (previous?.claims.nonce as string | undefined),
        nonceRequired: previous === undefined,
        now: Date.now(),
      });
    }
    if (!claims) throw new SignInError('invalid_id_token', 'no ID token');
    if (previous && claims.sub !== previous.claims.sub) throw new SignInError('invalid_id_token', 'sub changed');
    return {
      accessToken: body.access_token as string,
      expiresAt: Date.now() + expiresIn * 1000,
      refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : previous?.refreshToken,
      idToken: typeof body.id_token === 'string' ? body.id_token : (previous?.idToken as string),
      claims,
    };
  }

  async function renew(): Promise<Tokens | undefined> {
    const current = tokens;
    if (!current?.refreshToken) return undefined;
    const run = async () => {
      if (tokens !== current) return tokens; // renewed meanwhile
      try {
        tokens = keep(
          await tokenRequest({ grant_type: 'refresh_token', refresh_token: current.refreshToken as string }),
          undefined,
          current,
        );
      } catch {
        tokens = undefined; // invalid_grant or worse: the user must sign in again
      }
      return tokens;
    };
    // One renewal at a time, across tabs where the browser has Web Locks.
    return navigator.locks ? navigator.locks.request(`gatehouse-renew:${options.clientId}`, run) : run();
  }

  async function requestAccessToken(): Promise<AccessTokenResult> {
    const fresh = tokens && tokens.expiresAt - marginMs > Date.now() ? tokens : await renew();
    if (fresh) return { status: 'ok', accessToken: fresh.accessToken, expiresAt: fresh.expiresAt };
    return { status: 'redirect', redirect: (o) => signIn(o ?? {}) };
  }

  /** Checks and redeems an authorization response (the address bar's, or a silent frame's). */
  async function completeSignIn(href = location.href): Promise<{ returnUrl: string; state: AppState | undefined }> {
    const url = new URL(href);
    const query = url.searchParams;
    const state = query.get('state');
    const key = transactionPrefix + (state ?? '');
    const stored = state && /^[A-Za-z0-9_-]{43}$/.test(state) ? sessionStorage.getItem(key) : null;
    sessionStorage.removeItem(key);
    // The code and state leave the address bar (and the history) whatever happens next; a URL from a
    // silent sign-in's frame was never in it.
    if (url.href === location.href) history.replaceState(history.state, '', `${url.pathname}${url.hash}`);
    if (!stored) throw new SignInError('invalid_state', 'unknown or replayed state');
    const transaction = JSON.parse(stored) as {
      nonce: string;
      verifier: string;
      redirectUri?: string;
      returnUrl: string;
      appStateId: string | null;
    };
    const provider = await discover();
    const iss = query.get('iss');
    if (
      (iss !== null && iss !== provider.issuer) ||
      (iss === null && provider.authorization_response_iss_parameter_supported)
    ) {
      throw new SignInError('invalid_issuer', 'the response names another issuer');
    }
    const error = query.get('error');
    if (error) throw new SignInError(error, query.get('error_description') ?? error);
    const code = query.get('code');
    if (!code) throw new SignInError('invalid_request', 'no code in the response');
    const body = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: transaction.redirectUri ?? options.redirectUri,
      code_verifier: transaction.verifier,
    });
    try {
      tokens = keep(body, transaction.nonce);
    } catch (failure) {
      throw failure instanceof SignInError ? failure : new SignInError('invalid_id_token', (failure as Error).message);
    }
    return { returnUrl: transaction.returnUrl, state: takeAppState(transaction.appStateId) };
  }

  return {
    signIn,
    completeSignIn,
    user: () => (tokens ? (options.userFactory ?? ((claims: IdTokenClaims) => claims))(tokens.claims) : null),
    async trySilentSignIn({ timeoutMs = 10_000 } = {}): Promise<SilentSignInResult> {
      if (!options.silentRedirectUri) throw new TypeError('trySilentSignIn needs the silentRedirectUri option');
      const url = await beginAuthorization({ prompt: 'none' }, options.silentRedirectUri);
      const frame = document.createElement('iframe');
      frame.hidden = true;
      frame.title = 'silent sign-in';
      const answered = awaitSilentAnswer(frame, timeoutMs);
      frame.src = url;
      document.body.append(frame);
      const answer = await answered;
      if (answer === undefined) {
        sessionStorage.removeItem(transactionPrefix + (new URL(url).searchParams.get('state') ?? ''));
        return { status: 'timeout' };
      }
      try {
        await completeSignIn(answer);
        return { status: 'signed-in', claims: (tokens as Tokens).claims };
      } catch (error) {
        const code = error instanceof SignInError ? error.code : 'failed';
        return silentOutcomes.has(code)
          ? { status: code as 'login_required' | 'consent_required' | 'interaction_required' }
          : { status: 'failed', error: code };
      }
    },
    requestAccessToken,
    createAuthorizedFetch(authorizedUrls) {
      const prefixes = authorizedUrls.map((prefix) => new URL(prefix, location.origin));
      return async (input, init) => {
        const request = new Request(input, init);
        if (!isAuthorizedUrl(new URL(request.url), prefixes)) return fetch(request);
        const result = await requestAccessToken();
        if (result.status !== 'ok') throw new AccessTokenNotAvailableError((o) => signIn(o ?? {}));
        request.headers.set('authorization', `Bearer ${result.accessToken}`);
        return fetch(request);
      };
    },
    async signOut() {
      const idToken = tokens?.idToken;
      tokens = undefined;
      const provider = await discover();
      if (!provider.end_session_endpoint) return;
      const url = new URL(provider.end_session_endpoint);
      if (idToken) url.searchParams.set('id_token_hint', idToken);
      url.searchParams.set('client_id', options.clientId);
      url.searchParams.set('post_logout_redirect_uri', options.postLogoutRedirectUri ?? `${location.origin}/`);
      location.assign(url.toString());
    },
  };
}
