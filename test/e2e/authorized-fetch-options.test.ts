import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';
import { startStaticServer } from './static-server.js';

const fixedBody = 'the exact bytes';
const fixedIntegrity = `sha256-${createHash('sha256').update(fixedBody).digest('base64')}`;

/**
 * An API on another origin of the same site (localhost, another port) that answers what reached it:
 * method, body, Authorization, Cookie, Cache-Control and x-trace; with CORS (credentials allowed) for
 * `origin`. `/fixed` answers fixed bytes (for integrity), `/slow` nothing until released, `/stream`
 * one chunk, then the rest when released.
 */
async function startOptionsApi(origin: string) {
  const seen: Array<Record<string, string | undefined>> = [];
  let releaseSlow: () => void = () => undefined;
  const slow = () =>
    new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
  const server: Server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const cors = {
      'access-control-allow-origin': origin,
      'access-control-allow-credentials': 'true',
      'access-control-allow-headers': 'authorization, x-trace, content-type',
      'access-control-allow-methods': 'GET, POST, PUT',
      vary: 'Origin',
    };
    if (request.method === 'OPTIONS') {
      response.writeHead(204, cors).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const record = {
      path,
      method: request.method,
      body: Buffer.concat(chunks).toString(),
      authorization: request.headers.authorization,
      cookie: request.headers.cookie,
      cacheControl: request.headers['cache-control'],
      trace: request.headers['x-trace']?.toString(),
    };
    seen.push(record);
    if (path === '/fixed') {
      response.writeHead(200, { ...cors, 'content-type': 'text/plain' }).end(fixedBody);
    } else if (path === '/slow') {
      await slow();
      response.writeHead(200, cors).end('late');
    } else if (path === '/stream') {
      response.writeHead(200, { ...cors, 'content-type': 'text/plain' });
      response.write('first chunk;');
      await slow();
      response.end('last chunk');
    } else {
      response.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify(record));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    seen,
    release: () => releaseSlow(),
    stop: () =>
      new Promise<void>((resolve) => {
        releaseSlow();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// Every fetch option a caller gives the SDK's authorized fetch reaches the network as given, in
// Chromium: credentials, cache, mode, integrity, signal, keepalive, custom headers, a Request as
// input, and a response body read as a stream while it arrives.
describe('authorized fetch keeps every fetch option, in Chromium', () => {
  let site: Awaited<ReturnType<typeof startStaticServer>>;
  let api: Awaited<ReturnType<typeof startOptionsApi>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    const documents: Record<string, unknown> = {};
    site = await startStaticServer(
      {
        '/sdk/': join(import.meta.dirname, '../../packages/browser/dist'),
        '/': join(import.meta.dirname, 'fetch-options-app'),
      },
      documents,
    );
    const origin = `http://localhost:${site.port}`;
    api = await startOptionsApi(origin);
    documents['/config.json'] = { api: `http://localhost:${api.port}` };
    browser = await launchChromium();
    context = await browser.newContext();
    page = await context.newPage();
    await page.goto(`${origin}/index.html`);
    await page.waitForSelector('#status:text("ready")');
    // A cookie of this site: localhost, whatever the port, so the API's origin gets it when asked to.
    await page.evaluate('document.cookie = "probe=1; path=/"');
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.stop();
    await api?.stop();
  });

  /** Runs `body` (a function of `api` and `url(path)`) in the page and returns its result. */
  const inPage = (body: string) =>
    page.evaluate(`(async () => { const url = (p) => window.config.api + p; const api = window.api; ${body} })()`);

  it('credentials: include sends the site’s cookie to the API’s origin, omit does not', async () => {
    const included = (await inPage('return (await api(url("/echo"), { credentials: "include" })).json();')) as Record<
      string,
      string
    >;
    const omitted = (await inPage('return (await api(url("/echo"), { credentials: "omit" })).json();')) as Record<
      string,
      string
    >;
    expect(included).toMatchObject({ cookie: 'probe=1', authorization: 'Bearer app-token' });
    expect(omitted.cookie).toBeUndefined();
    expect(omitted.authorization).toBe('Bearer app-token');
  });

  it('cache: no-store reaches the network as a request not to be answered from a cache', async () => {
    const plain = (await inPage('return (await api(url("/echo"))).json();')) as Record<string, string>;
    const noStore = (await inPage('return (await api(url("/echo"), { cache: "no-store" })).json();')) as Record<
      string,
      string
    >;
    expect(plain.cacheControl).toBeUndefined();
    expect(noStore.cacheControl).toBe('no-cache');
  });

  it('mode: same-origin refuses the cross-origin call, as it would without the wrapper', async () => {
    const before = api.seen.length;
    const outcome = await inPage(
      'try { await api(url("/echo"), { mode: "same-origin" }); return "sent"; } catch (e) { return e.name; }',
    );
    expect(outcome).toBe('TypeError');
    expect(api.seen.length).toBe(before); // nothing left the browser
  });

  it('integrity: the right digest passes, a wrong one fails the call', async () => {
    const right = await inPage(`return (await api(url("/fixed"), { integrity: "${fixedIntegrity}" })).text();`);
    const wrong = await inPage(
      `try { await api(url("/fixed"), { integrity: "sha256-${'A'.repeat(43)}=" }); return "accepted"; } catch (e) { return e.name; }`,
    );
    expect(right).toBe(fixedBody);
    expect(wrong).toBe('TypeError');
  });

  it('signal: aborting the caller’s signal aborts the call in flight', async () => {
    const outcome = inPage(
      'const controller = new AbortController(); const call = api(url("/slow"), { signal: controller.signal }); setTimeout(() => controller.abort(), 200); try { await call; return "finished"; } catch (e) { return e.name; }',
    );
    expect(await outcome).toBe('AbortError');
    api.release();
  });

  it('keepalive: the browser holds the call to keepalive’s 64 KiB body limit, so the option arrived', async () => {
    const big = 'x'.repeat(65 * 1024);
    const withKeepalive = await inPage(
      `try { await api(url("/echo"), { method: "POST", body: "${big}", keepalive: true }); return "sent"; } catch (e) { return e.name; }`,
    );
    const small = (await inPage(
      'return (await api(url("/echo"), { method: "POST", body: "small", keepalive: true })).json();',
    )) as Record<string, string>;
    expect(withKeepalive).toBe('TypeError');
    expect(small).toMatchObject({ method: 'POST', body: 'small', authorization: 'Bearer app-token' });
  });

  it('custom headers arrive next to the bearer token', async () => {
    const echoed = (await inPage(
      'return (await api(url("/echo"), { headers: { "x-trace": "trace-1" } })).json();',
    )) as Record<string, string>;
    expect(echoed).toMatchObject({ trace: 'trace-1', authorization: 'Bearer app-token' });
  });

  it('a Request as input keeps its method, body and headers', async () => {
    const echoed = (await inPage(
      'return (await api(new Request(url("/echo"), { method: "PUT", body: "from a Request", headers: { "x-trace": "trace-2", "content-type": "text/plain" } }))).json();',
    )) as Record<string, string>;
    expect(echoed).toMatchObject({
      method: 'PUT',
      body: 'from a Request',
      trace: 'trace-2',
      authorization: 'Bearer app-token',
    });
  });

  it('a streamed response body is read as it arrives, not after the wrapper buffered it', async () => {
    await inPage(
      'const response = await api(url("/stream")); window.reader = response.body.getReader(); const { value } = await window.reader.read(); window.firstChunk = new TextDecoder().decode(value);',
    );
    // The first chunk was read while the server still holds the rest back.
    expect(await page.evaluate('window.firstChunk')).toBe('first chunk;');
    api.release();
    const rest = await inPage(
      'let text = ""; for (;;) { const { done, value } = await window.reader.read(); if (done) return text; text += new TextDecoder().decode(value); }',
    );
    expect(rest).toBe('last chunk');
  });
});
