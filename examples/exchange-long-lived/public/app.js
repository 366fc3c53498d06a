// The page of configuration 2: it takes the long-lived token from its own server once, keeps it in a
// variable, and calls the API with it. A reload forgets it (sign in again: the provider remembers you).
import { createTokenFetch } from '/sdk/index.js';

const $ = (id) => document.getElementById(id);
const { apiOrigin } = await (await fetch('/config.json')).json();

/** Only here: never in localStorage, sessionStorage, a cookie or a URL. */
let accessToken;
/** Calls with the token attached, to the API's origin only (and none while there is no token). */
const api = createTokenFetch({ authorizedUrls: [apiOrigin], accessToken: () => accessToken });

const handoff = await fetch('/handoff', { method: 'POST', headers: { 'x-csrf': '1' } });
if (handoff.ok) {
  const { access_token, expires_in } = await handoff.json();
  accessToken = access_token;
  $('status').textContent = `signed in: the token lasts ${Math.round(expires_in / 86_400)} days`;
} else {
  $('status').textContent = 'signed out';
}

$('login').addEventListener('click', () => location.assign('/login'));
$('call').addEventListener('click', async () => {
  const response = await api(`${apiOrigin}/weatherforecast`);
  $('out').textContent = `${response.status} ${await response.text()}`;
});
