// The page of configuration 5: the SDK's BFF client for the session and the proxied route, and a
// short-lived access token from GET /bff/token for the API it calls directly. No refresh or ID token
// ever reaches the page.
import { createBffClient, createTokenFetch, LoginRequiredError } from '/sdk/index.js';

const $ = (id) => document.getElementById(id);
const bff = createBffClient();
const { apiOrigin } = await (await fetch('/config.json')).json();

const user = await bff.user();
$('status').textContent = user ? `signed in as ${user.claims.name ?? user.claims.sub}` : 'signed out';

/** The mediated token, in memory only, reused until a minute before it expires. */
let cached;
async function apiToken() {
  if (cached && cached.expiresAt - 60_000 > Date.now()) return cached.token;
  // bff.fetch adds the x-csrf header the BFF requires and turns a 401 into LoginRequiredError.
  const response = await bff.fetch('/bff/token?scope=api', { cache: 'no-store' });
  if (!response.ok) throw new Error(`no token: ${response.status}`);
  const { access_token, expires_in } = await response.json();
  cached = { token: access_token, expiresAt: Date.now() + expires_in * 1000 };
  return access_token;
}

async function show(call) {
  try {
    const response = await call();
    $('out').textContent = `${response.status} ${await response.text()}`;
  } catch (error) {
    $('out').textContent = error instanceof LoginRequiredError ? 'sign-in required' : String(error);
  }
}

$('login').addEventListener('click', () => bff.login({ returnUrl: '/' }));
$('logout').addEventListener('click', () => bff.logout());
// Through the BFF: the session cookie goes along, the BFF attaches the access token.
$('proxied').addEventListener('click', () => show(() => bff.fetch('/api/todos')));
// Straight to the API's origin (CORS), with the mediated token.
const api = createTokenFetch({ authorizedUrls: [apiOrigin], accessToken: apiToken });
$('direct').addEventListener('click', () => show(() => api(`${apiOrigin}/weatherforecast`)));
$('direct-without-token').addEventListener('click', () => show(() => fetch(`${apiOrigin}/weatherforecast`)));
