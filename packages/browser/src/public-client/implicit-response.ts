import { randomValue, toBase64Url } from './base64url.js';
import { SignInError } from './errors.js';
import { checkIdTokenClaims, type IdTokenClaims } from './id-token-claims.js';
import { createTransactionStore, type TransactionStorage } from './transaction-store.js';

// The pure half of the legacy implicit sign-in: no page globals, so it is tested without a DOM.

/** The legacy implicit grant's response types (OAuth 2.0 §4.2, OpenID Core §3.2). */
export type ImplicitResponseType = 'token' | 'id_token token';

export interface BeginImplicitSignInOptions {
  /** The provider's `authorization_endpoint` (from its discovery document). */
  authorizationEndpoint: string;
  clientId: string;
  /** Where the provider sends the browser back; call `completeImplicitSignIn()` on that page. */
  redirectUri: string;
  /** Scopes requested. Default `['openid']`. */
  scopes?: string[];
  /** `id_token token` (default) also returns an ID token, bound to the sign-in by its `nonce`. */
  responseType?: ImplicitResponseType;
  /** Default `sessionStorage`. */
  storage?: TransactionStorage;
}

export interface CompleteImplicitSignInOptions {
  /** The provider's issuer identifier, exactly. */
  issuer: string;
  clientId: string;
  /**
   * The address the provider redirected to; only its fragment is read. Default `location.href`, and
   * then the fragment is removed from the address bar.
   */
  url?: string;
  /** Default `sessionStorage`. */
  storage?: TransactionStorage;
  /** Milliseconds since the epoch. Default `Date.now()`. */
  now?: number;
}

export interface ImplicitSignInResult {
  accessToken: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  scope: string;
  /** For `id_token token`: the ID token's claims (checked, see {@link completeImplicitSignIn}). */
  idTokenClaims?: IdTokenClaims;
  state: string;
}

interface ImplicitTransaction {
  responseType: ImplicitResponseType;
  nonce: string | null;
  scope: string;
}

// Apart from the code flow's transactions, so a code response can never complete one of these.
const implicitTransactions = createTransactionStore<ImplicitTransaction>('gatehouse.implicit.');

/**
 * Draws `state` and, for `id_token token`, `nonce` (256 bits each), keeps them in `storage` and
 * returns the authorization URL. {@link beginImplicitSignIn} with the storage given.
 */
export function startImplicitTransaction(
  options: BeginImplicitSignInOptions & { storage: TransactionStorage },
): string {
  const responseType = options.responseType ?? 'id_token token';
  const scope = (options.scopes ?? ['openid']).join(' ');
  const state = randomValue(32);
  const nonce = responseType === 'id_token token' ? randomValue(32) : null;
  const transaction: ImplicitTransaction = { responseType, nonce, scope };
  implicitTransactions.save(options.storage, state, transaction);
  const url = new URL(options.authorizationEndpoint);
  url.searchParams.set('response_type', responseType);
  url.searchParams.set('client_id', options.clientId);
  url.searchParams.set('redirect_uri', options.redirectUri);
  url.searchParams.set('scope', scope);
  url.searchParams.set('state', state);
  if (nonce) url.searchParams.set('nonce', nonce);
  return url.href;
}

/**
 * Checks the response in `href`'s fragment against the transaction its `state` names, which is
 * consumed. {@link completeImplicitSignIn} without touching the page.
 */
export async function readImplicitResponse(
  href: string,
  storage: TransactionStorage,
  expected: { issuer: string; clientId: string; now: number },
): Promise<ImplicitSignInResult> {
  const response = readFragment(href);
  return checkImplicitResponse(response, takeTransaction(storage, response.get('state')), expected);
}

/** The authorization response parameters in a URL's fragment; the query is never read. */
export function readFragment(href: string): URLSearchParams {
  return new URLSearchParams(new URL(href).hash.slice(1));
}

/** Takes (reads and deletes) the transaction `state` names; unknown, malformed or replayed → `invalid_state`. */
export function takeTransaction(
  storage: TransactionStorage,
  state: string | null,
): ImplicitTransaction & { state: string } {
  // A null state was refused by take().
  return { ...implicitTransactions.take(storage, state), state: state as string };
}

/** OpenID Core §3.1.3.6: base64url of the left half of the access token's SHA-256 (RS256 ID tokens). */
export async function computeAtHash(accessToken: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken)));
  return toBase64Url(digest.subarray(0, digest.length / 2));
}

/** Checks a fragment response against its transaction; see {@link completeImplicitSignIn}. */
export async function checkImplicitResponse(
  response: URLSearchParams,
  transaction: ImplicitTransaction & { state: string },
  expected: { issuer: string; clientId: string; now: number },
): Promise<ImplicitSignInResult> {
  const iss = response.get('iss');
  if (iss !== null && iss !== expected.issuer)
    throw new SignInError('invalid_issuer', 'the response names another issuer');
  const error = response.get('error');
  if (error) throw SignInError.fromProvider(error, response.get('error_description'));
  const accessToken = response.get('access_token');
  if (!accessToken || response.get('token_type')?.toLowerCase() !== 'bearer') {
    throw new SignInError('invalid_request', 'no bearer access token in the response');
  }
  const expiresIn = Number(response.get('expires_in') ?? 300);
  const result: ImplicitSignInResult = {
    accessToken,
    expiresAt: expected.now + (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 300) * 1000,
    scope: response.get('scope') ?? transaction.scope,
    state: transaction.state,
  };
  if (transaction.responseType === 'id_token token') {
    const idToken = response.get('id_token');
    if (!idToken) throw new SignInError('invalid_id_token', 'no ID token in the response');
    result.idTokenClaims = checkIdTokenClaims(idToken, {
      issuer: expected.issuer,
      clientId: expected.clientId,
      nonce: transaction.nonce ?? undefined,
      nonceRequired: true,
      now: expected.now,
    });
    // Required with an access token from the authorization endpoint (OpenID Core §3.2.2.10).
    if (result.idTokenClaims.at_hash !== (await computeAtHash(accessToken))) {
      throw new SignInError('invalid_id_token', 'ID token at_hash does not match the access token');
    }
  }
  return result;
}
