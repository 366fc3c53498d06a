// A backend-less SPA for the browser journeys: @gatehouse/browser's public client, tokens in memory.
import { AccessTokenNotAvailableError, createPublicClient } from '/sdk/index.js';

const config = await (await fetch('/config.json')).json();
const $ = (id) => document.getElementById(id);
const client = createPublicClient({
  authority: config.issuer,
  clientId: config.clientId,
  redirectUri: `${location.origin}/app.html`,
  scopes: ['openid', 'profile', 'offline_access'],
  renewalMarginSeconds: config.renewalMarginSeconds,
});
const apiFetch = client.createAuthorizedFetch([`${config.api}/v1`]);

if (new URLSearchParams(location.search).has('state')) {
  try {
    const { returnUrl, state } = await client.completeSignIn();
    history.replaceState(null, '', returnUrl);
    if (state) $('restored').textContent = `restored: ${state.draft}`;
  } catch (error) {
    $('out').textContent = `sign-in failed: ${error.code}`;
  }
}
const showUser = (user) => {
  $('status').textContent = user ? `signed in as ${user.sub}` : 'signed out';
};
showUser(client.user());
// Another tab's sign-in, renewal or sign-out reaches this one too.
client.onUserChange(showUser);
// For the journeys that drive the client directly.
window.gatehouse = client;

const show = async (call) => {
  try {
    $('out').textContent = await (await call()).text();
  } catch (error) {
    $('out').textContent = error instanceof AccessTokenNotAvailableError ? 'sign-in required' : String(error);
  }
};
$('login').addEventListener('click', () =>
  client.signIn({ returnUrl: '/app.html', state: { draft: 'kept across sign-in' } }),
);
$('call').addEventListener('click', () => show(() => apiFetch(`${config.api}/v1/data`)));
$('call-foreign').addEventListener('click', () => show(() => apiFetch(`${config.foreign}/v1/data`)));
$('renew').addEventListener('click', async () => {
  const first = await client.requestAccessToken();
  const second = await client.requestAccessToken();
  $('out').textContent = JSON.stringify({
    statuses: [first.status, second.status],
    different: first.accessToken !== second.accessToken,
  });
});
// A scope not granted at sign-in: incremental consent, then back here with the draft restored.
$('consent').addEventListener('click', async () => {
  const result = await client.requestAccessToken({ scopes: ['email'] });
  if (result.status === 'ok') $('out').textContent = `token for: ${result.scopes.join(' ')}`;
  else await result.redirect({ returnUrl: '/app.html', state: { draft: `missing ${result.missingScopes.join(' ')}` } });
});
$('logout').addEventListener('click', () => client.signOut());
document.body.dataset.ready = 'true';
