// One process of the soak (bench/soak/run.js): the Gatehouse authorization server on
// { durable: PostgreSQL, ephemeral: Redis }, or one Gatehouse BFF with its sessions in Redis (both
// BFFs share one key prefix, so either serves any session). Reports its memory when asked over IPC.
// Usage (by run.js): node servers.js as <options JSON> | node servers.js bff <options JSON>
import { randomBytes } from 'node:crypto';

const [role, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson);

/** Gatehouse's AS: one confidential client for both BFFs, one user, short-lived access tokens. */
async function startAuthorizationServer({ port, durable, ephemeral, bffOrigins, client, user }) {
  const { createAuthorizationServer, loadAuthorizationServerConfig } = await import('@gatehouse/authorization-server');
  const config = loadAuthorizationServerConfig({
    issuer: `http://127.0.0.1:${port}`,
    port,
    store: { durable, ephemeral },
    cookieSecrets: [randomBytes(32).toString('base64url')],
    // 40 s with the BFFs' 10 s margin: every session refreshes about every half minute.
    accessTokenTtlSeconds: 40,
    clients: [
      {
        client_id: client.id,
        client_secret: client.secret,
        redirect_uris: bffOrigins.map((origin) => `${origin}/bff/callback`),
        post_logout_redirect_uris: bffOrigins.map((origin) => `${origin}/`),
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'openid offline_access',
      },
    ],
    users: [user],
    // Every virtual user signs the one account in from loopback, again and again.
    rateLimits: { loginFailuresPerAccount: 100_000, loginFailuresPerIp: 100_000, clientAuthFailuresPerClient: 100_000 },
  });
  const app = await createAuthorizationServer(config);
  await app.listen({ port, host: '127.0.0.1' });
}

/** A Gatehouse BFF on `port`, sessions in Redis under `redisPrefix`, `/api` proxied to the upstream. */
async function startBff({ port, issuer, client, redisUrl, redisPrefix, tokenEncryptionKey, upstreamUrl }) {
  const { createBff, loadBffConfig } = await import('@gatehouse/bff');
  const { openStore } = await import('@gatehouse/store');
  const store = await openStore(redisUrl, { keyPrefix: redisPrefix });
  const app = await createBff(
    loadBffConfig({
      port,
      publicUrl: `http://127.0.0.1:${port}`,
      issuer,
      clientId: client.id,
      clientSecret: client.secret,
      scopes: ['openid', 'offline_access'],
      tokenEncryptionKeys: [tokenEncryptionKey],
      refreshMarginSeconds: 10,
      routes: [{ path: '/api', target: upstreamUrl, token: 'user' }],
      // Every virtual user starts its sign-ins from loopback.
      rateLimits: { login: { limit: 100_000 } },
    }),
    { store },
  );
  await app.listen({ port, host: '127.0.0.1' });
}

if (role === 'as') await startAuthorizationServer(options);
else if (role === 'bff') await startBff(options);
else throw new Error(`soak servers.js: unknown role ${role}`);

process.on('message', (message) => {
  if (message === 'memory') process.send({ memory: process.memoryUsage() });
});
process.send({ ready: true });
process.on('disconnect', () => process.exit(0));
