import {
  counterOf,
  createMetricsRegistry,
  histogramOf,
  metricsRenderer,
  type Registry,
  type RenderMetrics,
} from '@gatehouse/server-kit';
import type { RateLimitClass } from '../rate-limit/rate-limiter.js';

/** Why a session ended, for the sign-out counter (`replaced`: by a new sign-in in the same browser). */
export type SignOutCause = 'logout' | 'backchannel' | 'refresh_failed' | 'expired' | 'replaced';

/** How a proxied call's upstream answered: its status, or that it was too slow or could not be reached. */
export type UpstreamOutcome = number | 'timeout' | 'unreachable';

/** Bytes; a session cookie alone is about 60, a browser with stray cookies piling up several KiB. */
const cookieSizeBuckets = [256, 512, 1024, 2048, 4096, 8192];
/** Seconds, until the API's response headers. */
const upstreamDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The provider's error codes the refresh counter names (RFC 6749 §5.2, and the two of §4.1.2.1 a
 * token endpoint may send); any other code is `other`, so a provider cannot add series at will.
 */
const knownOAuthErrors = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_target',
  'server_error',
  'temporarily_unavailable',
  'provider_timeout',
  'provider_unavailable',
]);

/**
 * The BFF's metrics, on prom-client, in one app's registry (`registry`, where `createBff` also puts
 * the HTTP and store metrics): refreshes, sign-outs, back-channel logouts, Cookie header sizes,
 * proxied calls and rate-limit refusals. They count events; no label ever holds a token, a session
 * id or a user id, and every label takes a value from a short fixed list or the configuration.
 * Each instance is scraped on its own.
 *
 * @example
 * const metrics = new BffMetrics();
 * const app = await createBff(config, { metrics });
 * const { contentType, body } = await metrics.render();
 */
export class BffMetrics {
  /** This app's registry: pass it to other parts that should be scraped with the BFF. */
  readonly registry: Registry;
  /** The Prometheus text exposition, the process's default metrics first (for the metrics listener). */
  readonly render: RenderMetrics;
  readonly #refreshes;
  readonly #signOuts;
  readonly #backchannel;
  readonly #cookieSizes;
  readonly #proxied;
  readonly #proxiedDuration;
  readonly #rateLimited;

  constructor(registry: Registry = createMetricsRegistry()) {
    this.registry = registry;
    this.render = metricsRenderer(registry);
    this.#refreshes = counterOf(registry, {
      name: 'gatehouse_bff_refreshes_total',
      help: 'Token refreshes at the provider, by outcome (and the OAuth error of a failed one).',
      labelNames: ['outcome', 'error'],
    });
    this.#signOuts = counterOf(registry, {
      name: 'gatehouse_bff_sign_outs_total',
      help: 'Sessions ended, by cause.',
      labelNames: ['cause'],
    });
    this.#backchannel = counterOf(registry, {
      name: 'gatehouse_bff_backchannel_logouts_total',
      help: 'Back-channel logout requests, by result.',
      labelNames: ['result'],
    });
    this.#cookieSizes = histogramOf(registry, {
      name: 'gatehouse_bff_cookie_header_bytes',
      help: 'Size of the Cookie header of requests to the BFF.',
      buckets: cookieSizeBuckets,
    });
    this.#proxied = counterOf(registry, {
      name: 'gatehouse_bff_proxied_requests_total',
      help: 'Calls proxied to an API, by configured route and how the upstream answered (status class, timeout, unreachable).',
      labelNames: ['route', 'upstream_status'],
    });
    this.#proxiedDuration = histogramOf(registry, {
      name: 'gatehouse_bff_proxied_request_duration_seconds',
      help: 'Time from sending a proxied call upstream to its response headers (or its failure), by configured route.',
      labelNames: ['route'],
      buckets: upstreamDurationBuckets,
    });
    this.#rateLimited = counterOf(registry, {
      name: 'gatehouse_bff_rate_limit_refusals_total',
      help: 'Requests refused by a per-source rate limit, by limit.',
      labelNames: ['limit'],
    });
  }

  /**
   * A refresh at the provider: `done`, `merged` (another request's result reused), `retried` (a
   * lost or transient answer, tried again at once), `unavailable` (both tries failed transiently;
   * the session is kept) or `failed` (refused, with the provider's error code).
   */
  refresh(outcome: 'done' | 'merged' | 'failed' | 'retried' | 'unavailable', oauthError?: string): void {
    if (outcome === 'failed') this.#refreshes.inc({ outcome, error: errorLabel(oauthError) });
    else this.#refreshes.inc({ outcome });
  }

  signOut(cause: SignOutCause, sessions = 1): void {
    if (sessions > 0) this.#signOuts.inc({ cause }, sessions);
  }

  backchannel(result: 'accepted' | 'refused' | 'replayed'): void {
    this.#backchannel.inc({ result });
  }

  /** The size of a request's `Cookie` header, to see login state or stray cookies piling up. */
  cookieHeader(bytes: number): void {
    this.#cookieSizes.observe(bytes);
  }

  /**
   * A proxied call starts; call the returned function with how the upstream answered. `route` is
   * the configured route's `path`, never the request's.
   */
  proxiedCall(route: string): (outcome: UpstreamOutcome) => void {
    const stopTimer = this.#proxiedDuration.startTimer({ route });
    let ended = false;
    return (outcome) => {
      if (ended) return;
      ended = true;
      stopTimer();
      const upstream_status = typeof outcome === 'number' ? `${Math.floor(outcome / 100)}xx` : outcome;
      this.#proxied.inc({ route, upstream_status });
    };
  }

  /** A request refused by the per-source limit of its class (`login`, `clientRoutes`). */
  rateLimited(limit: RateLimitClass): void {
    this.#rateLimited.inc({ limit });
  }
}

function errorLabel(oauthError: string | undefined): string {
  return oauthError !== undefined && knownOAuthErrors.has(oauthError) ? oauthError : 'other';
}
