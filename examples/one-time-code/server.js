// Configuration 3 of docs/choosing-a-configuration.md: the app's server signs the user in and gets a
// long-lived token by exchange, as in ../exchange-long-lived, but gives the page only a one-time code
// for it. The page, a public client of the same app, redeems the code at the provider's /token and
// calls the API with the long-lived token directly.
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createAuthorizationServer, loadAuthorizationServerConfig } from '@gatehouse/authorization-server';
import { buildDemoApi, loadDemoApiConfig } from '@gatehouse/demo-api';

const day = 86_400;
/** @gatehouse/browser's build (`npm run build`), served to the page as /sdk/. */
const browserSdk = new URL('../../packages/browser/dist/', import.meta.url);
// The SDK's modules by name only: no `..`, nothing but its .js files.
const sdkModule = /^\/sdk\/[a-z0-9-]+(?:\/[a-z0-9-]+)*\.js$/;
const tokenExchange = 'urn:ietf:params:oauth:grant-type:token-exchange';
const accessTokenType = 'urn:ietf:params:oauth:token-type:access_token';
const oneTimeCodeGrant = 'urn:gatehouse:params:oauth:grant-type:one-time-code';
const random = (bytes) => randomBytes(bytes).toString('base64url');

/** Starts the provider, the demo API and the app on loopback; see server.d.ts. */
export async function start({ port = 4020, asPort = 4021, apiPort = 4022 } = {}) {
  const appOrigin = `http://localhost:${port}`;
  const issuer = `http://localhost:${asPort}`;
  const apiOrigin = `http://localhost:${apiPort}`;
  const user = { email: 'alice@example.com', password: random(12), name: 'Alice' };
  const client = { client_id: 'otc-server', client_secret: random(32) };
  const browserClientId = 'otc-browser';
  const redirectUri = `${appOrigin}/callback`;
  const ttl = { accessTokenTtlSeconds: 300, longLivedTokenTtlSeconds: 60 * day };
  const running = [];
  const stop = async () => {
    for (const server of running.reverse()) await server.close();
  };

  try {
    const as = await createAuthorizationServer(
      loadAuthorizationServerConfig({
        issuer,
        store: 'memory',
        cookieSecrets: [random(32)],
        ...ttl,
        // An exchanged token never outlives its grant, which ends refreshTokenTtlSeconds after sign-in.
        refreshTokenTtlSeconds: 90 * day,
        resources: [apiOrigin],
        clients: [
          {
            ...client,
            client_name: 'One-time code example',
            redirect_uris: [redirectUri],
            grant_types: ['authorization_code', tokenExchange],
            scope: 'api',
            long_lived_tokens: true,
          },
          {
            // The same app's browser side: redeems codes from its server, and nothing else.
            client_id: browserClientId,
            token_endpoint_auth_method: 'none',
            grant_types: [oneTimeCodeGrant],
            one_time_code_issuers: [client.client_id],
            scope: 'api',
            allowed_cors_origins: [appOrigin],
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

    const provider = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    const app = createServer(appHandler({ provider, client, browserClientId, redirectUri, apiOrigin }));
    running.push({ close: () => new Promise((resolve) => app.close(resolve)) });
    await new Promise((resolve, reject) => app.once('error', reject).listen(port, '127.0.0.1', resolve));
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `${appOrigin}/`, issuer, apiOrigin, ...user, client, browserClientId, ...ttl, stop };
}

/** The app's own server: its pages and the sign-in, which ends by giving the page a one-time code. */
function appHandler({ provider, client, browserClientId, redirectUri, apiOrigin }) {
  /** Sign-ins in progress, by `state`: the PKCE verifier, 10 minutes, used once. */
  const logins = new Map();
  const pages = { '/': 'index.html', '/app.js': 'app.js' };
  const pageHeaders = {
    'content-security-policy': `default-src 'self'; connect-src 'self' ${provider.issuer} ${apiOrigin}; base-uri 'none'; frame-ancestors 'none'`,
    'referrer-policy': 'no-referrer',
  };

  async function postAsClient(endpoint, fields) {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { authorization: basicAuthorization(client), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(`${endpoint}: ${body.error}`);
    return body;
  }

  return async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://app');
    const route = `${request.method} ${url.pathname}`;
    try {
      if (route === 'GET /login') {
        const state = random(32);
        const verifier = random(32);
        logins.set(state, { verifier, expiresAt: Date.now() + 600_000 });
        const authorize = new URL(provider.authorization_endpoint);
        authorize.search = new URLSearchParams({
          response_type: 'code',
          client_id: client.client_id,
          redirect_uri: redirectUri,
          scope: 'api',
          state,
          code_challenge: createHash('sha256').update(verifier).digest('base64url'),
          code_challenge_method: 'S256',
        }).toString();
        // The state also goes in a cookie, so only the browser that started the sign-in can finish it.
        return send(response, 303, {
          location: authorize.href,
          'set-cookie': cookie('__Host-login', state, 600, 'Lax'),
        });
      }

      if (route === 'GET /callback') {
        const state = url.searchParams.get('state');
        const login = state && state === readCookie(request, '__Host-login') ? take(logins, state) : undefined;
        const clear = cookie('__Host-login', '', 0, 'Lax');
        if (!login) return send(response, 400, { 'set-cookie': clear }, 'sign-in failed: unknown or replayed state');
        if (url.searchParams.get('iss') !== provider.issuer)
          return send(response, 400, { 'set-cookie': clear }, 'sign-in failed: wrong issuer'); // RFC 9207
        const code = url.searchParams.get('code');
        if (!code) {
          const error = url.searchParams.get('error') ?? 'no code'; // access_denied when the user said no
          return send(response, 400, { 'set-cookie': clear }, `sign-in failed: ${error}`);
        }

        // 1. The code for a short-lived access token (RFC 6749 §4.1.3, with the PKCE verifier).
        const signedIn = await postAsClient(provider.token_endpoint, {
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri,
          code_verifier: login.verifier,
        });
        // 2. That token for a long-lived one (RFC 8693): same user, scope and grant; longLivedTokenTtlSeconds.
        const longLived = await postAsClient(provider.token_endpoint, {
          grant_type: tokenExchange,
          subject_token: signedIn.access_token,
          subject_token_type: accessTokenType,
        });
        // 3. A single-use, 10-minute code for it, that only the browser client may redeem. It travels
        // in the fragment, which the browser never sends to any server, and the page removes it.
        const { code: oneTimeCode } = await postAsClient(provider.gatehouse_one_time_code_endpoint, {
          token: longLived.access_token,
          audience_client_id: browserClientId,
        });
        return send(response, 303, { location: `/#one_time_code=${oneTimeCode}`, 'set-cookie': clear });
      }

      if (route === 'GET /config.json') {
        return sendJson(response, 200, {
          tokenEndpoint: provider.token_endpoint,
          clientId: browserClientId,
          apiOrigin,
        });
      }
      if (request.method === 'GET' && sdkModule.test(url.pathname)) {
        const body = await readFile(new URL(url.pathname.slice('/sdk/'.length), browserSdk)).catch(() => undefined);
        if (!body) return send(response, 404, {}, 'not found');
        return send(response, 200, { ...pageHeaders, 'content-type': 'text/javascript; charset=utf-8' }, body);
      }
      if (request.method === 'GET' && Object.hasOwn(pages, url.pathname)) {
        const file = pages[url.pathname];
        const body = await readFile(new URL(`./public/${file}`, import.meta.url));
        const type = file.endsWith('.js') ? 'text/javascript' : 'text/html';
        return send(response, 200, { ...pageHeaders, 'content-type': `${type}; charset=utf-8` }, body);
      }
      return send(response, 404, {}, 'not found');
    } catch (error) {
      return send(response, 502, {}, `sign-in failed: ${error.message}`);
    }
  };
}

/** RFC 6749 §2.3.1: client id and secret, each form-encoded, then Basic. */
function basicAuthorization({ client_id, client_secret }) {
  const encode = (value) => new URLSearchParams({ v: value }).toString().slice(2);
  return `Basic ${Buffer.from(`${encode(client_id)}:${encode(client_secret)}`).toString('base64')}`;
}

function take(map, key) {
  const value = map.get(key);
  map.delete(key);
  return value && value.expiresAt > Date.now() ? value : undefined;
}

function cookie(name, value, maxAgeSeconds, sameSite) {
  return `${name}=${value}; Path=/; Secure; HttpOnly; SameSite=${sameSite}; Max-Age=${maxAgeSeconds}`;
}

function readCookie(request, name) {
  for (const pair of (request.headers.cookie ?? '').split('; ')) {
    if (pair.startsWith(`${name}=`)) return pair.slice(name.length + 1);
  }
  return undefined;
}

function send(response, status, headers, body = '') {
  const defaults = { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' };
  response.writeHead(status, { ...defaults, ...headers }).end(body);
}

function sendJson(response, status, body, headers = {}) {
  send(
    response,
    status,
    { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    JSON.stringify(body),
  );
}

if (process.argv[1] === import.meta.filename) {
  const env = (name, fallback) => Number(process.env[name] ?? fallback);
  const example = await start({
    port: env('PORT', 4020),
    asPort: env('AS_PORT', 4021),
    apiPort: env('API_PORT', 4022),
  });
  console.log(`Configuration 3 (long-lived token by one-time code): open ${example.url}`);
  console.log(`  sign in as ${example.email} / ${example.password}`);
  console.log(`  provider ${example.issuer}   demo API ${example.apiOrigin}   Ctrl-C stops`);
  const shutdown = async () => {
    await example.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown).once('SIGTERM', shutdown);
}
