import { rateLimitNamespaces } from '@gatehouse/store';
import { loginThrottleNamespaces } from '../stores/login-throttle.js';

/**
 * Namespaces that hold short-lived state; with a `{ durable, ephemeral }` store they go to the
 * ephemeral one (Redis), the rest (accounts, clients, keys, grants, refresh tokens) to the durable one.
 */
export const ephemeralNamespaces = [
  'codes',
  'code-grants',
  'interactions',
  'provider-sessions',
  'access-tokens',
  'revoked-access-tokens',
  'client-assertions',
  ...loginThrottleNamespaces,
  ...rateLimitNamespaces,
  'one-time-codes',
  'one-time-codes-issued',
  'upstream-transactions',
];
