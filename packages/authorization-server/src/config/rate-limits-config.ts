import { type Static, Type } from '@sinclair/typebox';

/**
 * The authorization server's rate limits (SECURITY.md §4), all counted through the store so every
 * instance shares them, each before the work it guards. A source is the address `trustedProxies`
 * makes of a request (an IPv6 address by its /64).
 */
export const rateLimitsSchema = Type.Object(
  {
    /**
     * Failed sign-ins per account before it slows down. From the last of these on, each source may
     * try that account once per delay: `loginDelaySeconds`, doubling with every further failure up
     * to `loginMaxDelaySeconds`. Never a lock: another source's right password gets in. Default 5.
     */
    loginFailuresPerAccount: Type.Integer({
      minimum: 1,
      default: 5,
      description: 'failed sign-ins of an account before it slows down',
    }),
    /** The first delay of a slowed-down account, in seconds; it doubles with each failure. Default 15. */
    loginDelaySeconds: Type.Integer({
      minimum: 1,
      maximum: 3600,
      default: 15,
      description: 'first delay of a slowed-down account; it doubles with each further failure',
    }),
    /** The longest delay of a slowed-down account, in seconds (a few minutes, never a lock). Default 300. */
    loginMaxDelaySeconds: Type.Integer({
      minimum: 1,
      maximum: 3600,
      default: 300,
      description: 'longest delay of a slowed-down account (never a lock)',
    }),
    /** How long an account's failed sign-ins count, in seconds. Default 1 day. */
    loginAccountWindowSeconds: Type.Integer({
      minimum: 60,
      maximum: 30 * 86400,
      default: 86400,
      description: 'how long an account’s failed sign-ins count',
    }),
    /** Sign-in attempts per source address per window that did not succeed, across accounts. Default 50. */
    loginFailuresPerIp: Type.Integer({
      minimum: 1,
      default: 50,
      description: 'sign-ins that did not succeed, per source and window, across accounts',
    }),
    /**
     * Failed client authentications per client id **and** source address per window; past it, that
     * source is refused for that client (429) until the window ends. Other sources are unaffected,
     * and a public client (`none`) is never counted. Default 50.
     */
    clientAuthFailuresPerClient: Type.Integer({
      minimum: 1,
      default: 50,
      description: 'failed client authentications per client id and source, per window',
    }),
    /** Registrations (each an argon2id hash) per source address per window. Default 10. */
    registrationsPerIp: Type.Integer({ minimum: 1, default: 10, description: 'registrations per source and window' }),
    /** The window of the per-source and per-client limits, in seconds. Default 900. */
    windowSeconds: Type.Integer({
      minimum: 10,
      default: 900,
      description: 'the window of the per-source and per-client limits',
    }),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'sign-in, client-authentication and registration limits',
  },
);

export type RateLimitsConfig = Static<typeof rateLimitsSchema>;
