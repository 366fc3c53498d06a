import { decodeProtectedHeader, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { audienceFault, type ClientTokenRules, checkTokenRules } from './client-token-rules.js';
import type { ProviderMetadata } from './discovery.js';
import { OidcClientError, ProviderUnavailableError } from './errors.js';

const backchannelLogoutEvent = 'http://schemas.openid.net/event/backchannel-logout';
/** A logout token older than this is refused, in seconds (its `jti` is remembered this long). */
export const logoutTokenMaxAgeSeconds = 300;

/** The logout token failed a check of OpenID Back-Channel Logout 1.0 §2.6; `reason` says which. */
export class LogoutTokenError extends OidcClientError {
  override readonly name = 'LogoutTokenError';
  override readonly code = 'ERR_OIDC_LOGOUT_TOKEN';

  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`logout token refused: ${reason}`, options);
  }
}

/** What a valid logout token asks to end: the provider session `sid`, the user `sub`, or both. */
export interface LogoutRequest {
  jti: string;
  sid: string | undefined;
  sub: string | undefined;
}

/**
 * Validates a `logout_token` (OpenID Back-Channel Logout 1.0 §2.6): signature by the provider's keys
 * with the algorithm of the client's ID tokens (`signingAlgorithm`, default RS256: §2.4 signs logout
 * tokens as ID tokens are), `typ` `logout+jwt` when a `typ` is present, `iss`, `aud` as for ID tokens
 * (the client, and only audiences it trusts), `iat` no older than five minutes, `exp` present (§2.4
 * requires it) and not passed, the back-channel `events` member as an object, `sid` or `sub`, no
 * `nonce`, and a `jti`. Replay is the caller's check.
 */
export async function verifyLogoutToken(
  logoutToken: string,
  metadata: ProviderMetadata,
  jwks: JWTVerifyGetKey,
  expected: { clientId: string; now: number } & ClientTokenRules,
): Promise<LogoutRequest> {
  const { algorithms, trustedAudiences } = checkTokenRules(expected);
  let typ: unknown;
  try {
    typ = decodeProtectedHeader(logoutToken).typ;
  } catch (error) {
    throw new LogoutTokenError('malformed', { cause: error });
  }
  if (
    typ !== undefined &&
    String(typ).toLowerCase() !== 'logout+jwt' &&
    String(typ).toLowerCase() !== 'application/logout+jwt'
  ) {
    throw new LogoutTokenError('typ');
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(logoutToken, jwks, {
      issuer: metadata.issuer,
      audience: expected.clientId,
      algorithms,
      requiredClaims: ['iat', 'exp', 'jti', 'events'],
      currentDate: new Date(expected.now),
      maxTokenAge: logoutTokenMaxAgeSeconds,
      clockTolerance: 30,
    }));
  } catch (error) {
    if (error instanceof ProviderUnavailableError) throw error;
    throw new LogoutTokenError((error as { code?: string }).code ?? 'invalid', { cause: error });
  }
  const fault = audienceFault(payload, expected.clientId, trustedAudiences);
  if (fault) throw new LogoutTokenError(fault);
  const events = payload.events as Record<string, unknown> | undefined;
  const event = events && typeof events === 'object' ? events[backchannelLogoutEvent] : undefined;
  if (event === null || typeof event !== 'object' || Array.isArray(event)) throw new LogoutTokenError('events');
  if ('nonce' in payload) throw new LogoutTokenError('nonce present');
  const sid = typeof payload.sid === 'string' && payload.sid !== '' ? payload.sid : undefined;
  const sub = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : undefined;
  if (!sid && !sub) throw new LogoutTokenError('neither sid nor sub');
  if (typeof payload.jti !== 'string' || payload.jti === '' || payload.jti.length > 256)
    throw new LogoutTokenError('jti');
  return { jti: payload.jti, sid, sub };
}
