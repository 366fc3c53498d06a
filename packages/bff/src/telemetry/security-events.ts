import type { SecurityEventCatalog, SecurityEvents } from '@gatehouse/server-kit';
import type { SignOutCause } from '../metrics/bff-metrics.js';
import type { RateLimitClass } from '../rate-limit/rate-limiter.js';

/**
 * The BFF's security events and their fields. `sub` is the user's subject at the provider (not a
 * secret: the provider's ID tokens carry it); no token, cookie, session id, `sid` or logout token
 * is a field of any event. `source_address` is the request's address as the BFF believes it
 * (`trustedProxies`).
 */
export type BffSecurityEventFields = {
  session_started: { sub: string };
  session_ended: { cause: SignOutCause; sessions: number; sub?: string | undefined };
  backchannel_logout_received: { sessions: number; sub?: string | undefined };
  backchannel_logout_refused: {
    /** `malformed`: no single logout_token; `invalid_token`: it failed a check (`check` says which); `replayed`: its jti was used. */
    reason: 'malformed' | 'invalid_token' | 'replayed';
    check?: string | undefined;
  };
  rate_limit_refused: { limit: RateLimitClass; source_address: string };
};

/** The BFF's security events, as its routes take them (`context.events`). */
export type BffSecurityEvents = SecurityEvents<BffSecurityEventFields>;

/** Each event's level and message (docs/operations.md lists them; keep both in step). */
export const bffSecurityEventCatalog: SecurityEventCatalog<BffSecurityEventFields> = Object.freeze({
  session_started: { level: 'info', message: 'session started' },
  session_ended: { level: 'info', message: 'session ended' },
  backchannel_logout_received: { level: 'info', message: 'back-channel logout received' },
  backchannel_logout_refused: { level: 'warn', message: 'back-channel logout refused' },
  rate_limit_refused: { level: 'warn', message: 'rate limit refused a request' },
});
