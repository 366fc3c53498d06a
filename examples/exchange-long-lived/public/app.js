// The page of configuration 2: it takes the long-lived token from its own server once, keeps it in a
// variable, and calls the API with it. A reload forgets it (sign in again: the provider remembers you).
const $ = (id) => document.getElementById(id);
const { apiOrigin } = await (await fetch('/config.json')).json();

/** Only here: never in localStorage, sessionStorage, a cookie or a URL. */
let accessToken;

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
  const headers = accessToken ? { authorization: `Bearer ${accessToken}` } : {};
  const response = await fetch(`${apiOrigin}/weatherforecast`, { headers });
  $('out').textContent = `${response.status} ${await response.text()}`;
});
