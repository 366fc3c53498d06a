import type { SecurityEventCatalog, SecurityEvents } from '@gatehouse/server-kit';

/** How a user signed in (or tried to). */
export type SignInMethod = 'password' | 'upstream';

/** Why a sign-in failed. */
export type SignInFailure =
  /** Unknown email or wrong password: told apart nowhere, not even here (no account enumeration). */
  | 'invalid_credentials'
  /** The account exists but may not sign in. */
  | 'account_disabled'
  /** The upstream refused, or sent an answer that could not be trusted. */
  | 'upstream_refused'
  /** The upstream could not be reached, or its token or profile request failed. */
  | 'upstream_error';

/** Which limit refused a request (the `name` of its rate-limit rule, or `login` for the sign-in throttle). */
export type RefusingLimit = 'login' | 'client-auth' | 'registration';

/** Why a provider session ended: the user signed out, changed the password (other sessions end), or deleted the account. */
export type SignOutCause = 'logout' | 'password_changed' | 'account_deleted';

/** Why a grant (a refresh-token family and every token issued under it) was revoked. */
export type FamilyRevocationCause = 'refresh_token_reused' | 'code_replayed' | 'revoked_by_client';

/**
 * The authorization server's security events and their fields. Subjects are the provider's account
 * ids (`sub`, not a secret: every ID token carries it), never an email address; no token, code,
 * password, cookie, secret or session id is a field of any event. `source_address` is the request's
 * address as the server believes it (`trustedProxies`).
 */
export type AsSecurityEventFields = {
  sign_in_succeeded: { method: SignInMethod; sub: string; upstream?: string | undefined };
  sign_in_failed: {
    method: SignInMethod;
    reason: SignInFailure;
    upstream?: string | undefined;
    source_address: string;
  };
  signed_out: { sub: string; cause: SignOutCause; clients: number };
  refresh_token_reused: { client_id: string; sub?: string | undefined };
  authorization_code_replayed: { client_id: string; sub?: string | undefined };
  one_time_code_replayed: { client_id: string; issuer_client_id: string };
  token_family_revoked: { client_id: string; sub?: string | undefined; cause: FamilyRevocationCause };
  consent_granted: { sub: string; client_id: string; scope: string };
  consent_revoked: { sub: string; client_id: string };
  client_authentication_failed: {
    client_id: string;
    method: string;
    reason: 'unknown_client' | 'wrong_method' | 'invalid_credentials';
    source_address: string;
  };
  rate_limit_refused: { limit: RefusingLimit; source_address: string; client_id?: string | undefined };
  signing_key_published: { kid: string; alg: string; activates_at: string };
  signing_key_activated: { kid: string; alg: string };
  backchannel_logout_sent: { client_id: string; sub: string };
  backchannel_logout_failed: {
    client_id: string;
    sub: string;
    /** `refused`: the client answered 4xx; `unreachable`: no 2xx after every attempt. */
    reason: 'refused' | 'unreachable' | 'error';
    status?: number | undefined;
  };
};

export type AsSecurityEventName = keyof AsSecurityEventFields & string;

/** The authorization server's security events, as the services take them. */
export type AsSecurityEvents = SecurityEvents<AsSecurityEventFields>;

/** Each event's level and message (docs/operations.md lists them; keep both in step). */
export const asSecurityEventCatalog: SecurityEventCatalog<AsSecurityEventFields> = Object.freeze({
  sign_in_succeeded: { level: 'info', message: 'sign-in succeeded' },
  sign_in_failed: { level: 'info', message: 'sign-in failed' },
  signed_out: { level: 'info', message: 'signed out' },
  refresh_token_reused: { level: 'warn', message: 'rotated refresh token reused; its family is revoked' },
  authorization_code_replayed: { level: 'warn', message: 'authorization code replayed; its tokens are revoked' },
  one_time_code_replayed: { level: 'warn', message: 'one-time code replayed' },
  token_family_revoked: { level: 'info', message: 'token family revoked' },
  consent_granted: { level: 'info', message: 'consent granted' },
  consent_revoked: { level: 'info', message: 'consent revoked' },
  client_authentication_failed: { level: 'warn', message: 'client authentication failed' },
  rate_limit_refused: { level: 'warn', message: 'rate limit refused a request' },
  signing_key_published: { level: 'info', message: 'signing key published' },
  signing_key_activated: { level: 'info', message: 'signing key activated' },
  backchannel_logout_sent: { level: 'info', message: 'back-channel logout delivered' },
  backchannel_logout_failed: { level: 'warn', message: 'back-channel logout failed' },
});
