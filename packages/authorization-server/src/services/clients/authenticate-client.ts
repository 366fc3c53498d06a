import { allowedAlgorithms } from '@gatehouse/oidc-client';
import type { CountedUse, RateLimiter, RateLimitRule, Store } from '@gatehouse/store';
import { createLocalJWKSet, decodeJwt, errors, type JSONWebKeySet, jwtVerify } from 'jose';
import { hasControlCharacter, maxClientIdLength, type Params } from '../../primitives/params.js';
import type { RegisteredClient } from '../../protocol/client-metadata.js';
import { InvalidClientError, InvalidRequestError, SlowDownError } from '../../protocol/errors.js';
import type { ClientRegistry } from '../../stores/client-registry.js';
import type { AsSecurityEvents } from '../../telemetry/security-events.js';
import type { RecentCredentials } from './recent-credentials.js';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

export interface AuthenticatedClient {
  client: RegisteredClient;
  method: ClientAuthMethod;
}

export interface ClientAuthContext {
  clients: ClientRegistry;
  store: Store;
  issuer: string;
  tokenEndpoint: string;
  now: () => number;
  /** The server's one rate limiter (counters in the store). */
  rateLimiter: RateLimiter;
  /** Failed authentications per client id **and** source address per window, before 429. */
  limits: { failuresPerClient: number; windowSeconds: number };
  /** Failed authentications and refusals by the limit are security events. */
  events: AsSecurityEvents;
  /** Secrets that verified recently per client and source: they skip the limiter. */
  recentCredentials: RecentCredentials;
}

const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * Authenticates the client of a token, revocation or introspection request (RFC 6749 §2.3, OpenID
 * Core §9). Exactly one method per request; it must be the client's registered one. Failures are
 * `invalid_client` (the caller adds `WWW-Authenticate: Basic` when `usedBasic`).
 *
 * Secrets are guessable, so checking one takes a slot of the client's limit for the request's
 * `source` address first (SECURITY.md §4): past `limits.failuresPerClient` failures in a window,
 * that source is refused with 429 — its right secret included, or the limit would answer guesses —
 * while every other source, the real client's among them, is unaffected. A secret this source
 * verified within the last minute skips the limiter, and concurrent identical ones share one check
 * ({@link RecentCredentials}), so a busy client neither fills the window nor pays store calls for
 * it. An assertion's signature cannot be guessed: it is checked first, and only a failure counts.
 * Nothing is
 * counted when there is nothing to guess: an unknown client, a method the client did not register
 * (a stranger posting a `client_secret` for a public client), or a public client naming itself.
 */
export async function authenticateClient(
  context: ClientAuthContext,
  authorization: string | undefined,
  params: Params,
  source: string,
): Promise<AuthenticatedClient> {
  const basic = authorization === undefined ? undefined : parseBasic(authorization);
  const postedSecret = params.get('client_secret');
  const assertion = params.get('client_assertion');
  const methods = [basic, postedSecret, assertion].filter((value) => value !== undefined).length;
  if (methods > 1) throw new InvalidRequestError('use exactly one client authentication method');

  let method: ClientAuthMethod;
  let clientId: string | undefined;
  if (basic) {
    method = 'client_secret_basic';
    clientId = basic.clientId;
    const bodyId = params.get('client_id');
    if (bodyId !== undefined && bodyId !== clientId)
      throw new InvalidRequestError('client_id does not match the credentials');
  } else if (assertion !== undefined) {
    method = 'private_key_jwt';
    if (params.get('client_assertion_type') !== assertionType) {
      throw new InvalidRequestError(`client_assertion_type must be ${assertionType}`);
    }
    clientId = params.get('client_id') ?? unverifiedSubject(assertion);
  } else {
    method = postedSecret !== undefined ? 'client_secret_post' : 'none';
    clientId = params.get('client_id');
  }
  if (!clientId) throw new InvalidClientError('client authentication is required');
  if (clientId.length > maxClientIdLength || hasControlCharacter(clientId))
    throw new InvalidClientError('unknown client');

  const failed = (reason: 'unknown_client' | 'wrong_method' | 'invalid_credentials') => {
    context.events.emit('client_authentication_failed', {
      client_id: clientId as string,
      method,
      reason,
      source_address: source,
    });
    return new InvalidClientError(
      'client authentication failed',
      reason === 'unknown_client' ? 'unknown client' : `method ${method}`,
    );
  };
  const client = await context.clients.find(clientId);
  if (!client) throw failed('unknown_client');
  if (client.token_endpoint_auth_method !== method) throw failed('wrong_method');
  if (method === 'none') return { client, method };

  const rule = clientAuthRule(context.limits);
  const key = `${clientId}\n${source}`;
  const refuse = (attempt: CountedUse) => {
    context.recentCredentials.forget(clientId as string, source);
    context.events.emit('rate_limit_refused', { limit: 'client-auth', source_address: source, client_id: clientId });
    return new SlowDownError('too many failed attempts; try again later', attempt.resetsInSeconds);
  };

  if (method === 'private_key_jwt') {
    // A signature cannot be guessed, and each assertion is single-use (its jti), so nothing is
    // remembered: the assertion is checked first and only a failure takes a slot — a burst of valid
    // assertions is never refused, and past the limit a failing source gets 429 as for secrets.
    if (await verify(context, client, method, undefined, assertion)) return { client, method };
    const attempt = await context.rateLimiter.take(rule, key);
    if (attempt.isOver) throw refuse(attempt);
    throw failed('invalid_credentials');
  }

  // A secret: counted before it is checked, so past the limit the right one is refused too.
  const secret = (basic?.secret ?? postedSecret) as string;
  const limitedCheck = async (): Promise<boolean> => {
    const attempt = await context.rateLimiter.take(rule, key);
    if (attempt.isOver) throw refuse(attempt);
    const ok = await verify(context, client, method, secret, undefined);
    // Valid credentials never count against the limit — beyond half of it. Forgiving costs two
    // store writes, so successes are forgiven only once they fill half the window: a client that
    // only succeeds never nears the limit, and one failing from this source has at least half its
    // failures left (stricter, never laxer).
    if (ok && attempt.used > rule.limit / 2) await attempt.forgive();
    return ok;
  };
  const stored = client.secretHash;
  if (stored === undefined) {
    if (!(await limitedCheck())) throw failed('invalid_credentials');
    return { client, method };
  }
  // The secret this source presented and verified within the last minute, against the client's
  // current hash: nothing is being guessed, so no limiter (SECURITY.md §4; see RecentCredentials).
  const recent = context.recentCredentials;
  const digest = recent.digest(secret);
  if (recent.isFresh(clientId, source, digest, stored)) return { client, method };
  const shared = await recent.share(clientId, source, digest, stored, limitedCheck);
  if (shared === true) return { client, method };
  if (shared === undefined && (await limitedCheck())) return { client, method };
  context.recentCredentials.forget(clientId, source);
  throw failed('invalid_credentials');
}

function clientAuthRule(limits: ClientAuthContext['limits']): RateLimitRule {
  return { name: 'client-auth', limit: limits.failuresPerClient, windowSeconds: limits.windowSeconds };
}

/** Whether the request tried Basic authentication (for the `WWW-Authenticate` header on failure). */
export function usedBasic(authorization: string | undefined): boolean {
  return authorization !== undefined && /^basic /i.test(authorization);
}

async function verify(
  context: ClientAuthContext,
  client: RegisteredClient,
  method: Exclude<ClientAuthMethod, 'none'>,
  secret: string | undefined,
  assertion: string | undefined,
): Promise<boolean> {
  switch (method) {
    case 'client_secret_basic':
    case 'client_secret_post':
      return secret !== undefined && context.clients.verifySecret(client, secret);
    case 'private_key_jwt':
      return assertion !== undefined && verifyAssertion(context, client, assertion);
  }
}

/**
 * `private_key_jwt`: signed by one of the client's registered keys with an asymmetric algorithm;
 * `iss` = `sub` = client_id; `aud` a single string, the issuer or the token endpoint URL (arrays
 * refused, SECURITY.md §9.5); a short `exp`; a `jti` never seen before.
 */
async function verifyAssertion(context: ClientAuthContext, client: RegisteredClient, assertion: string) {
  if (!client.jwks || assertion.length > 8192) return false;
  try {
    const { payload } = await jwtVerify(assertion, createLocalJWKSet(client.jwks as unknown as JSONWebKeySet), {
      algorithms: [...allowedAlgorithms], // asymmetric only: a shared secret must not sign an assertion
      issuer: client.client_id,
      subject: client.client_id,
      currentDate: new Date(context.now()),
      requiredClaims: ['exp', 'jti'],
    });
    const audience = payload.aud;
    if (typeof audience !== 'string' || (audience !== context.issuer && audience !== context.tokenEndpoint))
      return false;
    const nowSeconds = context.now() / 1000;
    if ((payload.exp as number) - nowSeconds > 600) return false;
    const jti = String(payload.jti);
    if (jti.length > 256) return false;
    const ttlSeconds = Math.max(1, (payload.exp as number) - nowSeconds + 60);
    return (
      (await context.store.putIfAbsent('client-assertions', `${client.client_id}|${jti}`, 1, { ttlSeconds })) !==
      undefined
    );
  } catch (error) {
    if (error instanceof errors.JOSEError || error instanceof TypeError) return false;
    throw error;
  }
}

function unverifiedSubject(assertion: string): string | undefined {
  try {
    const payload = decodeJwt(assertion);
    return typeof payload.sub === 'string' ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `Authorization: Basic` per RFC 6749 §2.3.1: base64 of `id:secret`, each form-urlencoded first, so
 * secrets with `:`, `+`, `%` or `/` survive. Malformed — including a control character in either
 * part, raw or encoded, which no client id or secret has (RFC 6749 App. A) — → `invalid_client`.
 */
function parseBasic(authorization: string): { clientId: string; secret: string } {
  const match = /^basic ([A-Za-z0-9+/]+=*)$/i.exec(authorization.trim());
  if (!match) throw new InvalidClientError('malformed Basic credentials');
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new InvalidClientError('malformed Basic credentials');
  let credentials: { clientId: string; secret: string };
  try {
    credentials = {
      clientId: decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' ')),
      secret: decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' ')),
    };
  } catch {
    throw new InvalidClientError('malformed Basic credentials');
  }
  if (hasControlCharacter(credentials.clientId) || hasControlCharacter(credentials.secret))
    throw new InvalidClientError('malformed Basic credentials');
  return credentials;
}
