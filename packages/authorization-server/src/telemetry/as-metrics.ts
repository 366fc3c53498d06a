import { type Counter, counterOf, type Gauge, gaugeOf, type Registry } from '@gatehouse/server-kit';
import type { OAuthErrorCode } from '../protocol/errors.js';
import type { AsSecurityEventFields, AsSecurityEventName } from './security-events.js';

/** What the key-ring gauges read on each scrape (the `KeyRing`'s `status()`). */
export interface KeyRingGaugeSource {
  status(): { published: number; active: readonly { alg: string; activatesAt: number }[] };
}

/** How a presented refresh token was used (`RefreshTokens.use`). */
export type RefreshTokenUse = 'rotated' | 'retried' | 'reused' | 'invalid';

/**
 * The authorization server's own counters and gauges, in the app's registry (beside the HTTP and
 * store metrics every server has). Labels are closed sets — grant types this server knows, OAuth
 * error codes, event names, limits, algorithms — never a user, client id, token or session id:
 * whatever a stranger sends, the series stay few.
 */
export class AsMetrics {
  readonly #tokenRequests: Counter<'grant_type' | 'outcome'>;
  readonly #refreshTokens: Counter<'outcome'>;
  readonly #familyRevocations: Counter<'cause'>;
  readonly #signIns: Counter<'method' | 'result'>;
  readonly #rateLimitRefusals: Counter<'limit'>;
  readonly #backchannelLogouts: Counter<'result'>;
  readonly #securityEvents: Counter<'event'>;
  #keyRing: KeyRingGaugeSource | undefined;

  /** `now`: milliseconds since the epoch, for the key's age. */
  constructor(registry: Registry, now: () => number) {
    this.#tokenRequests = counterOf(registry, {
      name: 'gatehouse_as_token_requests_total',
      help: 'Token endpoint requests, by grant type and outcome (issued, or the OAuth error code).',
      labelNames: ['grant_type', 'outcome'],
    });
    this.#refreshTokens = counterOf(registry, {
      name: 'gatehouse_as_refresh_tokens_total',
      help: 'Refresh tokens presented, by outcome: rotated, retried (grace window), reused (family revoked), invalid.',
      labelNames: ['outcome'],
    });
    this.#familyRevocations = counterOf(registry, {
      name: 'gatehouse_as_token_family_revocations_total',
      help: 'Grants (refresh-token families) revoked, by cause.',
      labelNames: ['cause'],
    });
    this.#signIns = counterOf(registry, {
      name: 'gatehouse_as_sign_ins_total',
      help: 'Sign-ins, by method and result (succeeded, or why they failed).',
      labelNames: ['method', 'result'],
    });
    this.#rateLimitRefusals = counterOf(registry, {
      name: 'gatehouse_as_rate_limit_refusals_total',
      help: 'Requests refused by a rate limit, by limit.',
      labelNames: ['limit'],
    });
    this.#backchannelLogouts = counterOf(registry, {
      name: 'gatehouse_as_backchannel_logouts_total',
      help: 'Back-channel logout notifications to clients, by result: delivered, refused, unreachable, error.',
      labelNames: ['result'],
    });
    this.#securityEvents = counterOf(registry, {
      name: 'gatehouse_as_security_events_total',
      help: 'Security events logged, by event name (docs/operations.md lists them).',
      labelNames: ['event'],
    });
    // Read on each scrape from the ring as last loaded, so a scrape costs no store query.
    const published: Gauge = gaugeOf(registry, {
      name: 'gatehouse_as_signing_keys_published',
      help: 'Signing keys published in the JWKS, as this instance last loaded them.',
      collect: (): void => published.set(this.#keyRing?.status().published ?? 0),
    });
    const age: Gauge<'alg'> = gaugeOf(registry, {
      name: 'gatehouse_as_active_signing_key_age_seconds',
      help: 'Seconds since the key that signs now for each algorithm began to sign.',
      labelNames: ['alg'],
      collect: (): void => {
        age.reset();
        for (const key of this.#keyRing?.status().active ?? [])
          age.set({ alg: key.alg }, Math.max(0, (now() - key.activatesAt) / 1000));
      },
    });
  }

  /** The key ring the gauges read (given once it is built). */
  watchKeyRing(keyRing: KeyRingGaugeSource): void {
    this.#keyRing = keyRing;
  }

  /**
   * A token request's outcome: `issued`, or the OAuth error code it was refused with. `grantType` is
   * one the endpoint serves, `other` (any other value) or `none` (missing): the caller's to close.
   */
  tokenRequest(grantType: string, outcome: 'issued' | OAuthErrorCode): void {
    this.#tokenRequests.inc({ grant_type: grantType, outcome });
  }

  refreshTokenUsed(outcome: RefreshTokenUse): void {
    this.#refreshTokens.inc({ outcome });
  }

  /** Counts what the security events count: the observer the app's `createSecurityEvents` is given. */
  readonly observeSecurityEvent = <Event extends AsSecurityEventName>(
    event: Event,
    fields: AsSecurityEventFields[Event],
  ): void => {
    this.#securityEvents.inc({ event });
    // Each case reads its own event's fields (the switch cannot narrow a generic).
    const of = <E extends AsSecurityEventName>(_: E) => fields as unknown as AsSecurityEventFields[E];
    switch (event) {
      case 'sign_in_succeeded':
        this.#signIns.inc({ method: of('sign_in_succeeded').method, result: 'succeeded' });
        break;
      case 'sign_in_failed': {
        const failed = of('sign_in_failed');
        this.#signIns.inc({ method: failed.method, result: failed.reason });
        break;
      }
      case 'token_family_revoked':
        this.#familyRevocations.inc({ cause: of('token_family_revoked').cause });
        break;
      case 'rate_limit_refused':
        this.#rateLimitRefusals.inc({ limit: of('rate_limit_refused').limit });
        break;
      case 'backchannel_logout_sent':
        this.#backchannelLogouts.inc({ result: 'delivered' });
        break;
      case 'backchannel_logout_failed':
        this.#backchannelLogouts.inc({ result: of('backchannel_logout_failed').reason });
        break;
    }
  };
}
