import type { Fetch, IdTokenVerifier, ProviderMetadata } from '@gatehouse/oidc-client';
import type { Tracing } from '@gatehouse/server-kit';
import type { Store } from '@gatehouse/store';
import type { BffConfig } from './config/bff-config.js';
import type { LoginTransactions } from './login/login-transactions.js';
import type { LogoutContinuations } from './logout/logout-continuations.js';
import type { BffMetrics } from './metrics/bff-metrics.js';
import type { OfflineGrants } from './offline/offline-grants.js';
import type { ClientTokenCache } from './proxy/client-token.js';
import type { RateLimiter } from './rate-limit/rate-limiter.js';
import type { SessionStore } from './session/session-store.js';
import type { BffSecurityEvents } from './telemetry/security-events.js';
import type { UpstreamTokenCache } from './upstream/upstream-token-cache.js';

/** What every BFF route needs, built once by `createBff`. */
export interface BffContext {
  config: Readonly<BffConfig>;
  store: Store;
  sessions: SessionStore;
  /** Login flows between `/bff/login` and the callback (their secrets sealed). */
  logins: LoginTransactions;
  /** The per-source limits, shared by route guards and WebSocket handshakes so both count alike. */
  rateLimiter: RateLimiter;
  /** Logout continuations on their way to the provider's end-session endpoint (sealed). */
  logoutContinuations: LogoutContinuations;
  /** Users' offline grants (`offlineAccess.enabled`). */
  offlineGrants: OfflineGrants;
  metadata: ProviderMetadata;
  verifyIdToken: IdTokenVerifier;
  clientTokens: ClientTokenCache;
  /** Users' upstream tokens for browser sessions (`upstream:<name>` routes), in this process. */
  upstreamTokens: UpstreamTokenCache;
  metrics: BffMetrics;
  /** Security events: a log line each (docs/operations.md), on the app's logger. */
  events: BffSecurityEvents;
  fetch: Fetch;
  /** Set when `tracing.enabled`: the proxy makes a CLIENT span per call with it. */
  tracing: Tracing | undefined;
  now: () => number;
  /** `publicUrl` + prefix + `/callback`: the redirect URI registered at the provider. */
  redirectUri: string;
  /** The BFF's own origin, for the CSRF origin check. */
  origin: string;
  /** Host and scheme of `publicUrl`, for `X-Forwarded-Host` / `-Proto`. */
  publicHost: string;
  publicProtocol: string;
}
