// Configuration 2 of docs/choosing-a-configuration.md: the app's server signs the user in (a confidential
// client: code + PKCE), exchanges its short-lived access token for a long-lived one (RFC 8693) and hands
// that to the page once. The page keeps it in memory and calls the API with it directly.
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
const random = (bytes) => randomBytes(bytes).toString('base64url');

/** Starts the provider, the demo API and the app on loopback; see server.d.ts. */
export async function start({ port = 4010, asPort = 4011, apiPort = 4012 } = {}) {
  const appOrigin = `http://localhost:${port}`;
  const issuer = `http://localhost:${asPort}`;
  const apiOrigin = `http://localhost:${apiPort}`;
  const user = { email: 'alice@example.com', password: random(12), name: 'Alice' };
  const client = { client_id: 'exchange-app', client_secret: random(32) };
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
            client_name: 'Long-lived token example',
            redirect_uris: [redirectUri],
            grant_types: ['authorization_code', tokenExchange],
            scope: 'api',
            long_lived_tokens: true,
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
    const app = createServer(appHandler({ provider, client, redirectUri, apiOrigin }));
    running.push({ close: () => new Promise((resolve) => app.close(resolve)) });
    await new Promise((resolve, reject) => app.once('error', reject).listen(port, '127.0.0.1', resolve));
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `${appOrigin}/`, issuer, apiOrigin, ...user, client, ...ttl, stop };
}

/** The app's own server: its pages, the sign-in, and the one-time hand-off of the long-lived token. */
function appHandler({ provider, client, redirectUri, apiOrigin }) {
  /** Sign-ins in progress, by `state`: the PKCE verifier, 10 minutes, used once. */
  const logins = new Map();
  /** Long-lived tokens waiting for their page, by a random id in a cookie: 60 seconds, taken once. */
  const handoffs = new Map();
  const pages = { '/': 'index.html', '/app.js': 'app.js' };
  const pageHeaders = {
    'content-security-policy': `default-src 'self'; connect-src 'self' ${apiOrigin}; base-uri 'none'; frame-ancestors 'none'`,
    'referrer-policy': 'no-referrer',
  };

  async function redeemAtTokenEndpoint(fields) {
    const response = await fetch(provider.token_endpoint, {
      method: 'POST',
      headers: { authorization: basicAuthorization(client), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(`token endpoint: ${body.error}`);
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
        const signedIn = await redeemAtTokenEndpoint({
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri,
          code_verifier: login.verifier,
        });
        // 2. That token for a long-lived one (RFC 8693): same user, scope and grant; longLivedTokenTtlSeconds.
        const longLived = await redeemAtTokenEndpoint({
          grant_type: tokenExchange,
          subject_token: signedIn.access_token,
          subject_token_type: accessTokenType,
        });
        // 3. Kept only until the page fetches it: never in a URL, and this server forgets it.
        const id = random(32);
        handoffs.set(id, {
          token: longLived.access_token,
          tokenExpiresAt: Date.now() + longLived.expires_in * 1000,
          expiresAt: Date.now() + 60_000,
        });
        return send(response, 303, {
          location: '/',
          'set-cookie': [clear, cookie('__Host-handoff', id, 60, 'Strict')],
        });
      }

      if (route === 'POST /handoff') {
        // A custom header: a cross-site form cannot send it, and this server grants no CORS.
        if (request.headers['x-csrf'] !== '1') return sendJson(response, 403, { error: 'forbidden' });
        const id = readCookie(request, '__Host-handoff');
        const handoff = id ? take(handoffs, id) : undefined;
        const headers = { 'set-cookie': cookie('__Host-handoff', '', 0, 'Strict') };
        if (!handoff) return sendJson(response, 401, { error: 'signed_out' }, headers);
        return sendJson(
          response,
          200,
          {
            access_token: handoff.token,
            token_type: 'Bearer',
            expires_in: Math.floor((handoff.tokenExpiresAt - Date.now()) / 1000),
          },
          headers,
        );
      }

      if (route === 'GET /config.json') return sendJson(response, 200, { apiOrigin });
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
    port: env('PORT', 4010),
    asPort: env('AS_PORT', 4011),
    apiPort: env('API_PORT', 4012),
  });
  console.log(`Configuration 2 (long-lived token by exchange): open ${example.url}`);
  console.log(`  sign in as ${example.email} / ${example.password}`);
  console.log(`  provider ${example.issuer}   demo API ${example.apiOrigin}   Ctrl-C stops`);
  const shutdown = async () => {
    await example.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown).once('SIGTERM', shutdown);
}
