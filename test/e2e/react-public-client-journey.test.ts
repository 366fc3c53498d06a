import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoUser, type RunningAuthorizationServer, startAuthorizationServer } from '@gatehouse/test-kit';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';
import { startEchoApi } from './static-server.js';

// @gatehouse/react over the public client, in Chromium against our authorization server: the app
// (react-public-app/app.jsx) is bundled from the workspace sources with React's development build and
// rendered in StrictMode, so every effect runs twice — the sign-in callback must still redeem its
// code once, and the tokens must survive the in-app navigation that follows.
describe('React bindings over the public client in Chromium', () => {
  let provider: RunningAuthorizationServer;
  let api: Awaited<ReturnType<typeof startEchoApi>>;
  let site: Server;
  let browser: Browser;
  let origin: string;
  const folder = mkdtempSync(join(tmpdir(), 'gatehouse-react-public-'));

  beforeAll(async () => {
    await build({
      entryPoints: [join(import.meta.dirname, 'react-public-app/app.jsx')],
      outfile: join(folder, 'app.js'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      jsx: 'automatic',
      conditions: ['gatehouse-source'], // the SDK and the bindings from their sources: no build needed
      define: { 'process.env.NODE_ENV': '"development"' },
      logLevel: 'silent',
    });
    writeFileSync(
      join(folder, 'index.html'),
      '<!doctype html><html><body><div id="root"></div><script type="module" src="/app.js"></script></body></html>',
    );
    const documents: Record<string, string> = {};
    // The app's files, /config.json, and index.html for every other path (the app's routes).
    site = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      if (path in documents) {
        response.writeHead(200, { 'content-type': 'application/json' }).end(documents[path]);
      } else if (path === '/app.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(join(folder, 'app.js')));
      } else {
        response.writeHead(200, { 'content-type': 'text/html' }).end(readFileSync(join(folder, 'index.html')));
      }
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    origin = `http://localhost:${(site.address() as { port: number }).port}`;
    api = await startEchoApi(origin);
    provider = await startAuthorizationServer({
      clients: [
        {
          client_id: 'react-spa',
          client_name: 'React SPA',
          redirect_uris: [`${origin}/authentication/login-callback`],
          post_logout_redirect_uris: [`${origin}/authentication/logged-out`],
          grant_types: ['authorization_code', 'refresh_token'],
          token_endpoint_auth_method: 'none',
          scope: 'openid profile offline_access',
          allowed_cors_origins: [origin],
        },
      ],
    });
    documents['/config.json'] = JSON.stringify({
      issuer: provider.issuer,
      clientId: 'react-spa',
      api: `http://localhost:${api.port}`,
    });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await provider?.close();
    await api?.stop();
    await new Promise((resolve) => site?.close(resolve));
    rmSync(folder, { recursive: true, force: true });
  });

  it('a protected route signs in, the code is redeemed once under StrictMode, the API gets the token, sign-out ends on logged-out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const tokenRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url() === `${provider.issuer}/token` && request.method() === 'POST') {
        tokenRequests.push(request.postData() ?? '');
      }
    });
    try {
      await page.goto(`${origin}/orders?page=2`);
      await page.waitForURL((url) => url.origin === provider.issuer);
      await page.fill('#email', demoUser.email);
      await page.fill('#password', demoUser.password);
      await page.click('button[type="submit"]');
      await page.waitForSelector('button[value="allow"]');
      await page.click('button[value="allow"]');

      // Back on the callback route, then on the route it came from, without a reload.
      await page.waitForURL(`${origin}/orders?page=2`);
      await expect.poll(() => page.textContent('#status')).toMatch(/^signed in as \S+/);
      expect(await page.textContent('#restored')).toBe('kept across the sign-in');
      await expect.poll(() => page.textContent('#api')).toBe('{"bearer":true}');
      expect(api.seen.filter((call) => call.path === '/orders')).not.toHaveLength(0);
      expect(tokenRequests.filter((body) => body.includes('grant_type=authorization_code'))).toHaveLength(1);
      const stored = String(await page.evaluate('JSON.stringify({ ...localStorage, ...sessionStorage })'));
      expect(stored).not.toMatch(/eyJ|access_token|refresh_token/);

      await page.click('#sign-out');
      await page.waitForURL(`${origin}/authentication/logged-out`);
      await expect.poll(() => page.textContent('#auth-message')).toBe('You are signed out.');
    } finally {
      await context.close();
    }
  }, 90_000);
});
