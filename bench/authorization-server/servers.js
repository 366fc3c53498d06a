// One system under test for the authorization-server benchmark — the Gatehouse authorization
// server or oidc-provider, in memory or on the production stores, named by the first argument (the
// second is the run id that names its Redis prefix and PostgreSQL schema) — in a process of its own, so it shares
// neither the load generator's event loop (bench/authorization-server/run.js, autocannon) nor a
// heap with the other server (the in-memory stores grow with every rotated refresh token, and the
// garbage collector would charge one server for the other's). Both are configured alike: one client
// (client_secret_basic; code, refresh_token and client_credentials), ES256 JWT access tokens for the
// resource http://localhost:5000, RS256 ID tokens, refresh tokens rotated on every use. Sends the
// issuer and the shared set-up to the parent over IPC once it listens.
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { postgresUrl, redisUrl, storeNames } from '../lib/stores.js';
import { redisAdapter } from './oidc-provider-redis-adapter.js';

// oidc-provider's notices about choices made here on purpose (Node 20, devInteractions for the
// scripted sign-ins, its in-memory adapter for the in-memory row) are dropped; anything else prints.
const warn = console.warn;
console.warn = (...args) => {
  if (!/^oidc-provider WARNING: (Unsupported runtime|a quick start development-only)/.test(String(args[0])))
    warn(...args);
};
const { default: Provider } = await import('oidc-provider');

const resource = 'http://localhost:5000';
const client = {
  client_id: 'bench',
  client_secret: 'bench-client-secret-0123456789abcdef',
  redirect_uris: ['http://127.0.0.1:9/cb'],
  grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  scope: 'openid offline_access api',
};
const user = { email: 'bench@example.com', password: 'correct-horse-battery-staple-42', name: 'Bench' };

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Gatehouse's authorization server on loopback: memory store, or `{ durable: PostgreSQL, ephemeral:
 * Redis }` as docs/authorization-server.md recommends for a scaled deployment.
 */
async function startGatehouse(store = 'memory') {
  const { createAuthorizationServer, loadAuthorizationServerConfig } = await import('@gatehouse/authorization-server');
  const port = await freePort();
  const config = loadAuthorizationServerConfig({
    issuer: `http://127.0.0.1:${port}`,
    port,
    store,
    cookieSecrets: ['bench-cookie-secret-0123456789abcdef'],
    accessTokenSigningAlg: 'ES256',
    resources: [resource],
    clients: [client],
    users: [user],
    // The setup signs one account in a few times at once to get refresh tokens; sign-in limits count
    // attempts in flight, so they are raised here (they guard the login page, not what is measured).
    // The client-auth limit stays at its default: valid secrets skip it (RecentCredentials).
    rateLimits: { loginFailuresPerAccount: 1000, loginFailuresPerIp: 10000 },
  });
  const app = await createAuthorizationServer(config);
  await app.listen({ port, host: '127.0.0.1' });
  return `http://127.0.0.1:${port}`;
}

/**
 * oidc-provider with the same client, keys, token formats and rotation; devInteractions for sign-in.
 * Its default adapter is in memory; `adapter` is a class per oidc-provider's adapter interface.
 */
async function startOidcProvider(adapter) {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  // One ES256 key for access tokens, one RS256 key for ID tokens (the default ID token algorithm).
  const keys = [
    {
      ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }),
      kid: 'es256',
      alg: 'ES256',
      use: 'sig',
    },
    {
      ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
      kid: 'rs256',
      alg: 'RS256',
      use: 'sig',
    },
  ];
  const provider = new Provider(issuer, {
    ...(adapter ? { adapter } : {}),
    clients: [client],
    // The client's scope list may only name scopes the provider lists; 'api' is the resource's scope.
    scopes: ['openid', 'offline_access', 'api'],
    jwks: { keys },
    cookies: { keys: ['bench-cookie-secret-0123456789abcdef'] },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => resource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async () => ({
          scope: 'api',
          audience: resource,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
    issueRefreshToken: async (_ctx, oidcClient, code) =>
      oidcClient.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    rotateRefreshToken: true,
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, email: user.email, name: user.name }),
    }),
  });
  server.on('request', provider.callback());
  return issuer;
}

const [name, runId = 'adhoc'] = process.argv.slice(2);
const { redisPrefix, schema } = storeNames(runId, name);
const starts = {
  gatehouse: ['Gatehouse', () => startGatehouse()],
  'oidc-provider': ['oidc-provider', () => startOidcProvider()],
  'gatehouse-pg-redis': [
    'Gatehouse on PostgreSQL + Redis',
    () =>
      startGatehouse({
        durable: `${postgresUrl}?schema=${schema}`,
        ephemeral: `${redisUrl}?prefix=${redisPrefix}`,
      }),
  ],
  'oidc-provider-redis': [
    'oidc-provider on Redis',
    () => startOidcProvider(redisAdapter(redisUrl, redisPrefix).RedisAdapter),
  ],
};
if (!Object.hasOwn(starts, name)) throw new Error(`servers.js: unknown server ${name}`);
const [displayName, start] = starts[name];
const issuer = await start();

process.send({ server: { id: name, name: displayName, issuer, redisPrefix, schema }, client, user, resource });
process.on('disconnect', () => process.exit(0));
