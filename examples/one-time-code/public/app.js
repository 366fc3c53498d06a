// The page of configuration 3, a public client: its server sends it back with a one-time code in the
// fragment; it removes the code from the address bar, redeems it at the provider's /token for the
// long-lived token, keeps that in a variable and calls the API with it.
import { createTokenFetch } from '/sdk/index.js';

const $ = (id) => document.getElementById(id);
const { tokenEndpoint, clientId, apiOrigin } = await (await fetch('/config.json')).json();

/** Only here: never in localStorage, sessionStorage, a cookie or a URL. */
let accessToken;
/** Calls with the token attached, to the API's origin only (and none while there is no token). */
const api = createTokenFetch({ authorizedUrls: [apiOrigin], accessToken: () => accessToken });

const code = new URLSearchParams(location.hash.slice(1)).get('one_time_code');
if (code) {
  // Out of the address bar and the history entry before anything else: nothing later can copy it.
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'urn:gatehouse:params:oauth:grant-type:one-time-code',
      code,
      client_id: clientId,
    }),
  });
  const body = await response.json();
  if (response.ok) {
    accessToken = body.access_token;
    $('status').textContent = `signed in: the token lasts ${Math.round(body.expires_in / 86_400)} days`;
  } else {
    $('status').textContent = `sign-in failed: ${body.error}`;
  }
} else {
  $('status').textContent = 'signed out';
}

$('login').addEventListener('click', () => location.assign('/login'));
$('call').addEventListener('click', async () => {
  const response = await api(`${apiOrigin}/weatherforecast`);
  $('out').textContent = `${response.status} ${await response.text()}`;
});
