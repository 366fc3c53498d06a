// A React app (Vite) signed in through the Gatehouse BFF, with @gatehouse/react: the page holds only
// the BFF's HttpOnly cookie; the BFF signs in at its own Gatehouse authorization server and proxies
// /api to the demo API with the user's access token.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAuthorizationServer, loadAuthorizationServerConfig } from '@gatehouse/authorization-server';
import { createBff, loadBffConfig } from '@gatehouse/bff';
import { buildDemoApi, loadDemoApiConfig } from '@gatehouse/demo-api';

const random = (bytes) => randomBytes(bytes).toString('base64url');
const here = fileURLToPath(new URL('.', import.meta.url));

/** Builds the app with Vite into `outDir` (a production build: minified, React in production mode). */
export async function buildApp(outDir) {
  const { build } = await import('vite');
  await build({ configFile: join(here, 'vite.config.js'), build: { outDir, emptyOutDir: true } });
}

/** Builds the app, then starts the provider, the demo API and the BFF (serving the app) on loopback. */
export async function start({ port = 4040, asPort = 4041, apiPort = 4042 } = {}) {
  const appOrigin = `http://localhost:${port}`;
  const issuer = `http://localhost:${asPort}`;
  const apiOrigin = `http://localhost:${apiPort}`;
  const user = { email: 'alice@example.com', password: random(12), name: 'Alice' };
  const client = { client_id: 'react-spa-bff', client_secret: random(32) };
  const site = await mkdtemp(join(tmpdir(), 'gatehouse-react-spa-'));
  const running = [{ close: () => rm(site, { recursive: true, force: true }) }];
  const stop = async () => {
    for (const server of running.reverse()) await server.close();
  };

  try {
    await buildApp(site);
    const as = await createAuthorizationServer(
      loadAuthorizationServerConfig({
        issuer,
        store: 'memory',
        cookieSecrets: [random(32)],
        resources: [apiOrigin],
        clients: [
          {
            ...client,
            client_name: 'React SPA example',
            redirect_uris: [`${appOrigin}/bff/callback`],
            post_logout_redirect_uris: [`${appOrigin}/authentication/logged-out`],
            grant_types: ['authorization_code', 'refresh_token'],
            scope: 'openid profile api',
          },
        ],
        users: [user],
      }),
    );
    running.push(as);
    await as.listen({ port: asPort, host: '127.0.0.1' });
    const api = await buildDemoApi(loadDemoApiConfig({ issuer, audience: apiOrigin, store: 'memory' }));
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
        // The app's routes (@gatehouse/react's <AuthenticationRoutes>): where sign-out ends.
        postLogoutRedirectPath: '/authentication/logged-out',
        routes: [{ path: '/api', target: apiOrigin, token: 'user', scopes: ['api'] }],
      }),
    );
    running.push(bff);
    await bff.listen({ port, host: '127.0.0.1' });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `${appOrigin}/`, issuer, apiOrigin, ...user, stop };
}

if (process.argv[1] === import.meta.filename) {
  const env = (name, fallback) => Number(process.env[name] ?? fallback);
  const example = await start({
    port: env('PORT', 4040),
    asPort: env('AS_PORT', 4041),
    apiPort: env('API_PORT', 4042),
  });
  console.log(`React SPA through the BFF: open ${example.url}`);
  console.log(`  sign in as ${example.email} / ${example.password}`);
  console.log(`  provider ${example.issuer}   demo API ${example.apiOrigin}   Ctrl-C stops`);
  const shutdown = async () => {
    await example.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown).once('SIGTERM', shutdown);
}
