// Configuration 5 of docs/choosing-a-configuration.md: the BFF signs the user in and keeps the refresh
// token; the page calls one API route through the BFF's proxy (cookie + x-csrf) and takes short-lived
// access tokens from GET /bff/token to call the API directly, cross-origin.
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAuthorizationServer, loadAuthorizationServerConfig } from '@gatehouse/authorization-server';
import { createBff, loadBffConfig } from '@gatehouse/bff';
import { buildDemoApi, loadDemoApiConfig } from '@gatehouse/demo-api';

const random = (bytes) => randomBytes(bytes).toString('base64url');
/** @gatehouse/browser's build (`npm run build`), served to the page as /sdk/. */
const browserSdk = fileURLToPath(new URL('../../packages/browser/dist', import.meta.url));

/** Starts the provider, the demo API and the BFF (serving the page) on loopback; see server.d.ts. */
export async function start({ port = 4030, asPort = 4031, apiPort = 4032 } = {}) {
  const appOrigin = `http://localhost:${port}`;
  const issuer = `http://localhost:${asPort}`;
  const apiOrigin = `http://localhost:${apiPort}`;
  const user = { email: 'alice@example.com', password: random(12), name: 'Alice' };
  const client = { client_id: 'mediating-bff', client_secret: random(32) };
  const accessTokenTtlSeconds = 300;
  // The BFF serves one folder: the page, the SDK beside it, and where the API is.
  const site = await mkdtemp(join(tmpdir(), 'gatehouse-example-'));
  const running = [{ close: () => rm(site, { recursive: true, force: true }) }];
  const stop = async () => {
    for (const server of running.reverse()) await server.close();
  };

  try {
    await cp(fileURLToPath(new URL('./public', import.meta.url)), site, { recursive: true });
    await cp(browserSdk, join(site, 'sdk'), { recursive: true });
    await writeFile(join(site, 'config.json'), JSON.stringify({ apiOrigin }));

    const as = await createAuthorizationServer(
      loadAuthorizationServerConfig({
        issuer,
        store: 'memory',
        cookieSecrets: [random(32)],
        accessTokenTtlSeconds, // what the page may hold: keep it short
        resources: [apiOrigin],
        clients: [
          {
            ...client,
            client_name: 'Token-mediating BFF example',
            redirect_uris: [`${appOrigin}/bff/callback`],
            post_logout_redirect_uris: [`${appOrigin}/`],
            grant_types: ['authorization_code', 'refresh_token'],
            scope: 'openid profile api',
          },
        ],
        users: [user],
      }),
    );
    running.push(as);
    await as.listen({ port: asPort, host: '127.0.0.1' });
    const api = await buildDemoApi(
      loadDemoApiConfig({ issuer, audience: apiOrigin, store: 'memory', corsOrigins: [appOrigin] }),
    );
    running.push(api);
    await api.listen({ port: apiPort, host: '127.0.0.1' });

    const bff = await createBff(
      loadBffConfig({
        publicUrl: appOrigin,
        issuer,
        clientId: client.client_id,
        clientSecret: client.client_secret,
        scopes: ['openid', 'profile', 'api'],
        store: 'memory',
        tokenEncryptionKeys: [random(32)],
        static: site,
        // Proxied: the BFF attaches the session's access token; the page never sees it.
        routes: [{ path: '/api', target: apiOrigin, token: 'user', scopes: ['api'] }],
        // GET /bff/token: a short-lived access token for the calls the page makes itself.
        tokenMediating: { enabled: true },
      }),
    );
    running.push(bff);
    await bff.listen({ port, host: '127.0.0.1' });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `${appOrigin}/`, issuer, apiOrigin, ...user, accessTokenTtlSeconds, stop };
}

if (process.argv[1] === import.meta.filename) {
  const env = (name, fallback) => Number(process.env[name] ?? fallback);
  const example = await start({
    port: env('PORT', 4030),
    asPort: env('AS_PORT', 4031),
    apiPort: env('API_PORT', 4032),
  });
  console.log(`Configuration 5 (token-mediating BFF): open ${example.url}`);
  console.log(`  sign in as ${example.email} / ${example.password}`);
  console.log(`  provider ${example.issuer}   demo API ${example.apiOrigin}   Ctrl-C stops`);
  const shutdown = async () => {
    await example.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown).once('SIGTERM', shutdown);
}
