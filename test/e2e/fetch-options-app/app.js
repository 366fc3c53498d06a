// The SDK's authorized fetch with a token the app supplies, for the journey that checks every fetch
// option survives the wrapper. The public client's authorized fetch is this same wrapper.
import { createTokenFetch } from '/sdk/index.js';

const config = await (await fetch('/config.json')).json();
window.config = config;
window.api = createTokenFetch({ authorizedUrls: [config.api], accessToken: () => 'app-token' });
document.getElementById('status').textContent = 'ready';
