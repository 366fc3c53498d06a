// An oidc-provider instance on loopback for benchmarks, and a scripted login through its
// development login form (any user name is accepted).

import { fork } from 'node:child_process';
import { createServer } from 'node:http';

/**
 * Starts oidc-provider with `clients` in a child process of its own and resolves with its issuer.
 * Not in the process of the systems under test: oidc-provider runs each request in an
 * AsyncLocalStorage, which turns on async hooks for every promise of its process and would charge
 * the BFF (many promises per call) far more than the bare proxy it is compared with.
 */
export function startProviderProcess(clients) {
  const child = fork(new URL(import.meta.url), ['--serve', JSON.stringify(clients)], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  process.on('exit', () => child.kill());
  return new Promise((resolve, reject) => {
    child.once('message', ({ issuer }) => resolve({ issuer, stop: () => child.kill() }));
    child.once('exit', (code) => reject(new Error(`the provider exited (${code}) before it was ready`)));
  });
}

/** oidc-provider on loopback in this process, with `clients` and devInteractions for sign-in. */
export async function startProvider(clients) {
  // Its notices about choices made here on purpose (Node 20, its development keys, adapter and
  // sign-in pages for a bench's provider) are dropped; anything else prints.
  const warn = console.warn;
  console.warn = (...args) => {
    if (!/^oidc-provider WARNING: (Unsupported runtime|(a )?quick start development-only)/.test(String(args[0])))
      warn(...args);
  };
  const { default: Provider } = await import('oidc-provider');
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients,
    pkce: { required: () => false },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['gatehouse-bench-cookie-key'] },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: 600,
      Interaction: 600,
      RefreshToken: 86_400,
      Session: 3600,
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  });
  server.on('request', provider.callback());
  return { issuer, stop: () => new Promise((resolve) => server.close(resolve)) };
}

if (process.argv[2] === '--serve') {
  const { issuer } = await startProvider(JSON.parse(process.argv[3]));
  process.send({ issuer });
  process.on('disconnect', () => process.exit(0));
}

/** Follows an authorization URL through login and consent; returns the redirect back to the client. */
export async function loginAtProvider(authorizationUrl, sub) {
  const jar = new Map();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const remember = (response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
  };
  const providerOrigin = new URL(authorizationUrl).origin;
  let url = new URL(authorizationUrl);
  for (let step = 0; step < 12; step += 1) {
    if (url.origin !== providerOrigin) return url;
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: cookie() } });
    remember(response);
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get('location'), url);
      continue;
    }
    const html = await response.text();
    const prompt = /name="prompt" value="([a-z]+)"/.exec(html)?.[1];
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!prompt || !action) throw new Error(`unexpected provider page (${response.status})`);
    const form = new URLSearchParams({ prompt });
    if (prompt === 'login') {
      form.set('login', sub);
      form.set('password', 'any');
    }
    const submitted = await fetch(new URL(action, url), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    remember(submitted);
    url = new URL(submitted.headers.get('location'), url);
  }
  throw new Error('too many steps at the provider');
}

/** Cookie header value from a response's Set-Cookie lines (name=value pairs only). */
export function cookiesFrom(response, existing = new Map()) {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const at = pair.indexOf('=');
    existing.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return existing;
}
