import { ConfigError, isLoopbackUrl, parseConfig, secretString } from '@gatehouse/config';
import {
  checkOpsConfig,
  healthConfigSchema,
  metricsListenerConfigSchema,
  shutdownConfigSchema,
  tracingConfigSchema,
} from '@gatehouse/server-kit';
import { type Static, Type } from '@sinclair/typebox';
import { checkClientMetadata } from '../checks/check-client-metadata.js';
import { clientMetadataSchema } from '../protocol/client-metadata.js';
import { jwksMaxAgeSeconds, keyReloadSeconds, minimumKeyActivationDelaySeconds } from '../protocol/key-publication.js';
import { rateLimitsSchema } from './rate-limits-config.js';
import { checkUpstreams, upstreamSchema } from './upstream-config.js';

const seedUserSchema = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254, description: 'the account’s email address' }),
    password: secretString({ minLength: 8, maxLength: 1024, description: 'the account’s password' }),
    name: Type.Optional(Type.String({ maxLength: 200, description: 'the account’s display name' })),
  },
  { additionalProperties: false },
);

/** The authorization server's configuration; every field has a documented default unless it must come from you. */
export const authorizationServerConfigSchema = Type.Object(
  {
    /** The issuer identifier: an https URL (plain http only on localhost), no query or fragment. */
    issuer: Type.String({
      pattern: '^https?://[^?#\\s]+[^/?#\\s]$',
      description: 'the issuer URL: https (plain http only on localhost), no trailing slash',
    }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 4000, description: 'port to listen on' }),
    /**
     * Proxies in front of the server whose `X-Forwarded-For` is believed (addresses or CIDR ranges),
     * so per-IP sign-in limits count the browser's address, not the proxy's. Default none.
     */
    trustedProxies: Type.Array(Type.String({ pattern: '^[0-9a-fA-F:.]+(/\\d{1,3})?$' }), {
      default: [],
      description: 'proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed',
    }),
    host: Type.String({
      minLength: 1,
      default: '127.0.0.1',
      description: 'address to listen on; 0.0.0.0 in a container',
    }),
    store: Type.Union(
      [
        // Secrets: a store URL may carry a password.
        secretString({ pattern: '^(memory|sqlite:.+|postgres(ql)?://.+)$' }),
        Type.Object(
          {
            durable: secretString({ pattern: '^(memory|sqlite:.+|postgres(ql)?://.+)$' }),
            ephemeral: secretString({ pattern: '^(memory|rediss?://.+)$' }),
          },
          { additionalProperties: false },
        ),
      ],
      {
        default: 'sqlite:.gatehouse/as.db',
        description: 'memory, sqlite:PATH, postgres://… or { durable, ephemeral }',
      },
    ),
    /**
     * What a start does to the store's schema: `auto` applies missing migrations (development, one
     * instance); `check` changes nothing and refuses a store that `gatehouse store migrate` has not
     * brought up to date (a rolling upgrade: migrate once, then replace instances). Both refuse a
     * schema newer than this Gatehouse. Default `auto`.
     */
    storeMigration: Type.Union([Type.Literal('auto'), Type.Literal('check')], {
      default: 'auto',
      description:
        'auto: apply missing store migrations at start; check: only refuse a store not migrated by gatehouse store migrate',
    }),
    /** Keys that sign the provider's cookies; the first signs, any verifies. At least 32 characters each. */
    cookieSecrets: Type.Array(secretString({ minLength: 32 }), {
      minItems: 1,
      description: 'secrets that sign cookies and derive the sealing keys; the first signs, any verifies',
    }),
    /** Access-token lifetime in seconds. Default 1 hour. */
    accessTokenTtlSeconds: Type.Integer({
      minimum: 30,
      maximum: 86400,
      default: 3600,
      description: 'access-token lifetime',
    }),
    /**
     * Lifetime in seconds of an access token issued by the legacy implicit grant (in the redirect's
     * fragment, with no refresh token): kept short. Default 5 minutes, at most 1 hour.
     */
    implicitAccessTokenTtlSeconds: Type.Integer({
      minimum: 30,
      maximum: 3600,
      default: 300,
      description: 'lifetime of an access token from the legacy implicit grant',
    }),
    /** Absolute lifetime of a refresh-token grant in seconds; rotation never extends it. Default 30 days. */
    refreshTokenTtlSeconds: Type.Integer({
      minimum: 60,
      default: 30 * 86400,
      description: 'absolute lifetime of a refresh-token family; rotation never extends it',
    }),
    /** A refresh token unused this long expires, in seconds. Default 14 days. */
    refreshTokenIdleTtlSeconds: Type.Integer({
      minimum: 60,
      default: 14 * 86400,
      description: 'a refresh-token family unused this long expires',
    }),
    /** Lifetime of a long-lived access token (token exchange), in seconds. Default 60 days. */
    longLivedTokenTtlSeconds: Type.Integer({
      minimum: 60,
      default: 60 * 86400,
      description: 'lifetime of a long-lived token from token exchange (never past its grant’s end)',
    }),
    /** ID-token lifetime in seconds. Default 1 hour. */
    idTokenTtlSeconds: Type.Integer({ minimum: 30, maximum: 86400, default: 3600, description: 'ID-token lifetime' }),
    /** Authorization-code lifetime in seconds (at most 60). Default 60. */
    codeTtlSeconds: Type.Integer({ minimum: 5, maximum: 60, default: 60, description: 'authorization-code lifetime' }),
    /** A retried refresh within this many seconds gets the same successor. Default 30. */
    refreshGraceSeconds: Type.Integer({
      minimum: 0,
      maximum: 300,
      default: 30,
      description: 'a refresh retried within this time gets the same successor',
    }),
    /** Lifetime of the provider's login session in seconds. Default 1 day. */
    sessionTtlSeconds: Type.Integer({
      minimum: 60,
      default: 86400,
      description: 'lifetime of the provider’s login session',
    }),
    /** Access-token signing algorithm. ID tokens are RS256 (OpenID's default). Default ES256. */
    accessTokenSigningAlg: Type.Union([Type.Literal('ES256'), Type.Literal('RS256'), Type.Literal('EdDSA')], {
      default: 'ES256',
      description: 'access-token signing algorithm (ID tokens are RS256)',
    }),
    /**
     * A rotated-in key signs only after this many seconds, so every instance and every JWKS cache
     * has it first: at least the JWKS max-age plus the key reload interval (see
     * `minimumKeyActivationDelaySeconds`, 360). Default 600.
     */
    keyActivationDelaySeconds: Type.Integer({
      minimum: minimumKeyActivationDelaySeconds,
      maximum: 7 * 86400,
      default: 600,
      description: `a rotated-in key waits this long before it signs, so every instance and JWKS cache has it first (at least JWKS max-age ${jwksMaxAgeSeconds} s + key reload ${keyReloadSeconds} s)`,
    }),
    /** The APIs (RFC 8707 resource indicators) tokens may be issued for; the first is the default audience. */
    resources: Type.Array(Type.String({ pattern: '^https?://[^#\\s]+$' }), {
      default: [],
      description: 'APIs tokens may be issued for (RFC 8707); the first is the default audience, else the issuer',
    }),
    clients: Type.Array(clientMetadataSchema, { default: [], description: 'the clients, in RFC 7591 metadata names' }),
    /** Accounts created at start when missing (development). */
    users: Type.Array(seedUserSchema, {
      default: [],
      description: 'accounts created at start when missing (development)',
    }),
    /** Providers users may sign in with ("Continue with …"); see docs/upstream-providers.md. Default none. */
    upstreams: Type.Array(upstreamSchema, { default: [], description: 'providers users may sign in with' }),
    /** Offer the registration page. Default true. */
    registration: Type.Boolean({ default: true, description: 'offer the registration page, /register' }),
    /** Sign-in, client-authentication and registration limits; see `rateLimitsSchema`. */
    rateLimits: rateLimitsSchema,
    /** Time allowed to a back-channel logout POST, in milliseconds. Default 5000. */
    backchannelLogoutTimeoutMs: Type.Integer({
      minimum: 100,
      maximum: 60_000,
      default: 5000,
      description: 'time allowed to each back-channel logout POST',
    }),
    // Off by default; see docs/operations.md#tracing for registering a provider and what a span holds.
    tracing: tracingConfigSchema,
    /** `/metrics` (and, by choice, `/healthz` + `/readyz`) on a listener of its own. Default off. */
    metrics: metricsListenerConfigSchema,
    /** Where `/healthz` and `/readyz` are served. Default the public listener. */
    health: healthConfigSchema,
    /** The graceful stop on SIGTERM; see docs/operations.md#health-readiness-and-shutdown. */
    shutdown: shutdownConfigSchema,
  },
  { additionalProperties: false },
);

export type AuthorizationServerConfig = Static<typeof authorizationServerConfigSchema>;

/** Fields renamed so that each names its unit; a configuration with an old name is refused, naming the new one. */
const renamedFields = {
  accessTokenTtl: 'accessTokenTtlSeconds',
  implicitAccessTokenTtl: 'implicitAccessTokenTtlSeconds',
  refreshTokenTtl: 'refreshTokenTtlSeconds',
  refreshTokenIdleTtl: 'refreshTokenIdleTtlSeconds',
  longLivedTokenTtl: 'longLivedTokenTtlSeconds',
  idTokenTtl: 'idTokenTtlSeconds',
  codeTtl: 'codeTtlSeconds',
  sessionTtl: 'sessionTtlSeconds',
};

/**
 * Checks an authorization-server configuration and returns it frozen with defaults applied. Refuses,
 * naming the field: anything the schema refuses; plain http outside loopback; client metadata that
 * breaks the registration rules (see `checkClientMetadata`); duplicate client ids or user emails.
 */
export function loadAuthorizationServerConfig(
  input: unknown,
  label = 'authorization server config',
): Readonly<AuthorizationServerConfig> {
  const config = parseConfig(authorizationServerConfigSchema, input, label, { renamed: renamedFields });
  const issuer = new URL(config.issuer);
  if (issuer.protocol === 'http:' && !isLoopbackUrl(issuer)) {
    throw new ConfigError(`${label}: issuer: must use https (plain http only on localhost)`, 'issuer');
  }
  if (config.rateLimits.loginMaxDelaySeconds < config.rateLimits.loginDelaySeconds) {
    throw new ConfigError(
      `${label}: rateLimits.loginMaxDelaySeconds: must not be less than loginDelaySeconds`,
      'rateLimits.loginMaxDelaySeconds',
    );
  }
  if (config.refreshTokenIdleTtlSeconds > config.refreshTokenTtlSeconds) {
    throw new ConfigError(
      `${label}: refreshTokenIdleTtlSeconds: must not exceed refreshTokenTtlSeconds`,
      'refreshTokenIdleTtlSeconds',
    );
  }
  const ids = new Set<string>();
  for (const [i, client] of config.clients.entries()) {
    if (ids.has(client.client_id)) {
      throw new ConfigError(
        `${label}: clients.${i}.client_id: another client has the same id`,
        `clients.${i}.client_id`,
      );
    }
    ids.add(client.client_id);
    const problem = checkClientMetadata(client);
    if (problem)
      throw new ConfigError(
        `${label}: clients.${i}.${problem.field}: ${problem.message}`,
        `clients.${i}.${problem.field}`,
      );
  }
  checkUpstreams(config.upstreams, label);
  const opsProblem = checkOpsConfig(config);
  if (opsProblem) throw new ConfigError(`${label}: ${opsProblem.field}: ${opsProblem.message}`, opsProblem.field);
  const upstreamNames = new Set(config.upstreams.map((upstream) => upstream.name));
  for (const [i, client] of config.clients.entries()) {
    const unserved = client.resources.find((resource) => !config.resources.includes(resource));
    if (unserved !== undefined)
      throw new ConfigError(
        `${label}: clients.${i}.resources: ${unserved} is not one of the provider's resources`,
        `clients.${i}.resources`,
      );
    const unknown = client.upstream_tokens.find((name) => !upstreamNames.has(name));
    if (unknown !== undefined)
      throw new ConfigError(
        `${label}: clients.${i}.upstream_tokens: no upstream is named ${unknown}`,
        `clients.${i}.upstream_tokens`,
      );
  }
  const emails = new Set<string>();
  for (const [i, user] of config.users.entries()) {
    const email = user.email.toLowerCase();
    if (emails.has(email)) throw new ConfigError(`${label}: users.${i}.email: listed twice`, `users.${i}.email`);
    emails.add(email);
  }
  return config;
}
