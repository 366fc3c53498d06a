// A minimal SPA for the browser journeys: every action goes through @gatehouse/browser's BFF client.
import { createBffClient, LoginRequiredError } from '/sdk/index.js';

const bff = createBffClient();
const $ = (id) => document.getElementById(id);

const restored = bff.takeReturnedState();
if (restored) $('restored').textContent = `restored: ${restored.draft}`;
const user = await bff.user();
$('status').textContent = user ? `signed in as ${user.claims.sub}` : 'signed out';

$('login').addEventListener('click', () => bff.login({ returnUrl: '/' }));
$('login-with-state').addEventListener('click', () => bff.login({ returnUrl: '/', state: { draft: 'unsaved text' } }));
$('logout').addEventListener('click', () => bff.logout());
$('call').addEventListener('click', async () => {
  try {
    const response = await bff.fetch('/api/data', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-custom-header': 'from-the-spa' },
      body: JSON.stringify({ title: 'Buy milk' }),
    });
    $('out').textContent = await response.text();
  } catch (error) {
    $('out').textContent = error instanceof LoginRequiredError ? `login required: ${error.reason}` : String(error);
  }
});
// For the journeys that drive the client from the test (page.evaluate).
window.gatehouseBff = bff;
document.body.dataset.ready = 'true';
