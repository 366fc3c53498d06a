import { connect } from 'node:net';
import {
  type AuthorizationServerUnderTest,
  authorizationUrl,
  confidentialClient,
  csrfOf,
  demoUser,
  freePort,
  getRaw,
  internalsPattern,
  listenAuthorizationServer,
  obtainTokens,
  postForm,
  type RunningAuthorizationServer,
  signInAtLoginPage,
  startAuthorizationServer,
  TestBrowser,
  webAppAuthorization,
  webAppRedirect,
} from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A stranger with no account sends the authorization server identifiers no client would: a control
 * character (C0 or DEL) in a client id or an email, a Basic user name carrying one, a client id of
 * 600 characters. The store refuses such keys; none of it may reach a 5xx. Each endpoint answers with
 * its own error: OAuth JSON `invalid_request` where it speaks JSON, `invalid_client` for Basic
 * credentials, the readable HTML error page where a browser is talking to it.
 */

let server: AuthorizationServerUnderTest;
beforeAll(async () => {
  server = await listenAuthorizationServer();
});
afterAll(() => server.close());

const controls: [string, string][] = [
  ['SOH', '\u0001'],
  ['a line feed', '\n'],
  ['US', '\u001f'],
  ['DEL', '\u007f'],
];
const longClientId = 'c'.repeat(600);

async function expectJsonError(response: Response, status: number, code: string): Promise<void> {
  const body = await response.text();
  expect(response.status, body).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(JSON.parse(body).error).toBe(code);
  expect(body).not.toMatch(internalsPattern);
}

async function expectErrorPage(response: Response): Promise<void> {
  const body = await response.text();
  expect(response.status, body).toBe(400);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(response.headers.get('location')).toBeNull();
  expect(body).not.toMatch(internalsPattern);
}

/** A browser with the provider's CSRF cookie and a form token that matches it. */
async function browserWithFormToken(): Promise<{ browser: TestBrowser; csrf: string }> {
  const browser = new TestBrowser();
  const page = await browser.navigate(`${server.issuer}/login`);
  return { browser, csrf: csrfOf(await page.text(), `${server.issuer}/login`) };
}

describe.each(controls)('a stranger putting %s into a parameter', (_label, control) => {
  it('gets the error page, not a 5xx, for a client_id at /authorize', async () => {
    const url = authorizationUrl(server.issuer, {
      response_type: 'code',
      client_id: `web${control}app`,
      redirect_uri: webAppRedirect,
      scope: 'openid',
    });
    await expectErrorPage(await getRaw(server, url));
  });

  it('gets invalid_request JSON, not a 5xx, for a client_id at /token', async () => {
    const response = await postForm(server, `${server.issuer}/token`, {
      grant_type: 'client_credentials',
      client_id: `spa${control}`,
    });
    await expectJsonError(response, 400, 'invalid_request');
  });

  it('gets invalid_request JSON, not a 5xx, for a client_id at /revoke', async () => {
    const response = await postForm(server, `${server.issuer}/revoke`, { token: 'x', client_id: `spa${control}` });
    await expectJsonError(response, 400, 'invalid_request');
  });

  it('gets the error page, not a 5xx, for a client_id at /logout', async () => {
    await expectErrorPage(
      await getRaw(server, `${server.issuer}/logout?client_id=${encodeURIComponent(`web${control}`)}`),
    );
  });

  it('gets the error page, not a 5xx, for a client_id at /logout/confirm', async () => {
    const { browser, csrf } = await browserWithFormToken();
    const response = await browser.post(`${server.issuer}/logout/confirm`, {
      csrf,
      decision: 'logout',
      client_id: `web${control}`,
    });
    await expectErrorPage(response);
  });

  it('gets the error page, not a 5xx, for a client_id at /logged-out', async () => {
    await expectErrorPage(
      await getRaw(server, `${server.issuer}/logged-out?client_id=${encodeURIComponent(`x${control}`)}`),
    );
  });

  it('gets the error page, not a 5xx, for an email at /login', async () => {
    const { browser, csrf } = await browserWithFormToken();
    const response = await browser.post(`${server.issuer}/login`, {
      csrf,
      email: `alice${control}@example.com`,
      password: demoUser.password,
    });
    await expectErrorPage(response);
  });

  it('gets the error page, not a 5xx, for an email at /register', async () => {
    const browser = new TestBrowser();
    const page = await browser.navigate(`${server.issuer}/register`);
    const response = await browser.post(`${server.issuer}/register`, {
      csrf: csrfOf(await page.text(), `${server.issuer}/register`),
      email: `new${control}@example.com`,
      password: 'a fresh long passphrase 42',
    });
    await expectErrorPage(response);
  });

  it('gets invalid_request JSON, not a 5xx, for an audience_client_id at /one-time-code', async () => {
    const tokens = await obtainTokens(server);
    const response = await postForm(
      server,
      `${server.issuer}/one-time-code`,
      { token: tokens.access_token, audience_client_id: `spa${control}` },
      { authorization: webAppAuthorization },
    );
    await expectJsonError(response, 400, 'invalid_request');
  });

  it('gets invalid_client with a Basic challenge, not a 5xx, for a Basic user name', async () => {
    for (const user of [`web${control}app`, encodeURIComponent(`web${control}app`)]) {
      const response = await postForm(
        server,
        `${server.issuer}/token`,
        { grant_type: 'client_credentials' },
        { authorization: `Basic ${Buffer.from(`${user}:${confidentialClient.client_secret}`).toString('base64')}` },
      );
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic/);
      await expectJsonError(response, 401, 'invalid_client');
    }
  });
});

describe('a stranger sending a 600-character client_id', () => {
  it('gets the error page at /authorize, not a 5xx', async () => {
    const url = authorizationUrl(server.issuer, {
      response_type: 'code',
      client_id: longClientId,
      redirect_uri: webAppRedirect,
      scope: 'openid',
    });
    await expectErrorPage(await getRaw(server, url));
  });

  it('gets the error page at /logout, GET and POST, not a 5xx', async () => {
    await expectErrorPage(await getRaw(server, `${server.issuer}/logout?client_id=${longClientId}`));
    await expectErrorPage(await postForm(server, `${server.issuer}/logout`, { client_id: longClientId }));
  });

  it('gets the error page at /logout/confirm, not a 5xx', async () => {
    const { browser, csrf } = await browserWithFormToken();
    const response = await browser.post(`${server.issuer}/logout/confirm`, {
      csrf,
      decision: 'logout',
      client_id: longClientId,
    });
    await expectErrorPage(response);
  });

  it('gets the error page at /logged-out, not a 5xx', async () => {
    await expectErrorPage(await getRaw(server, `${server.issuer}/logged-out?client_id=${longClientId}`));
  });

  it('gets invalid_request JSON at /token and /revoke, not a 5xx', async () => {
    for (const endpoint of ['/token', '/revoke']) {
      const response = await postForm(server, `${server.issuer}${endpoint}`, {
        grant_type: 'client_credentials',
        token: 'x',
        client_id: longClientId,
      });
      await expectJsonError(response, 400, 'invalid_request');
    }
  });

  it('gets invalid_client at /token for a 600-character Basic user name, not a 5xx', async () => {
    const response = await postForm(
      server,
      `${server.issuer}/token`,
      { grant_type: 'client_credentials' },
      { authorization: `Basic ${Buffer.from(`${longClientId}:secret`).toString('base64')}` },
    );
    await expectJsonError(response, 401, 'invalid_client');
  });
});

describe('a stranger with an account of their own, sending what the parameter layer lets through', () => {
  it('gets the error page, not a 5xx, when the store refuses the key it builds (a 600-character upstream name)', async () => {
    const browser = new TestBrowser();
    expect((await signInAtLoginPage(server, browser)).status).toBe(303);
    const profile = await browser.navigate(`${server.issuer}/profile`);
    const response = await browser.post(`${server.issuer}/profile/unlink`, {
      csrf: csrfOf(await profile.text(), `${server.issuer}/profile`),
      upstream: 'u'.repeat(600),
    });
    await expectErrorPage(response);
  });
});

/** One request written to the socket byte for byte (repeated headers, odd bytes); the answer's head and body. */
function rawExchange(port: number, request: string): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
    });
    socket.on('end', () => {
      const split = data.indexOf('\r\n\r\n');
      const head = data.slice(0, split);
      resolve({ status: Number(head.split(' ')[1]), head, body: data.slice(split + 4) });
    });
    socket.on('error', reject);
    socket.write(request, 'latin1');
  });
}

function headerIn(head: string, name: string): string[] {
  return head
    .split('\r\n')
    .slice(1)
    .filter((line) => line.toLowerCase().startsWith(`${name}:`))
    .map((line) => line.slice(name.length + 1).trim());
}

describe('a stranger probing an issuer with a path (spellings, unknown paths, request ids)', () => {
  let tenant: RunningAuthorizationServer;
  let port: number;
  const logLines: string[] = [];
  beforeAll(async () => {
    port = await freePort();
    tenant = await startAuthorizationServer(
      { issuer: `http://127.0.0.1:${port}/tenant`, port },
      { logger: { level: 'info', stream: { write: (line: string) => logLines.push(line) } } },
    );
  });
  afterAll(() => tenant.close());

  const get = (path: string, headers = '') =>
    rawExchange(port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${headers}\r\n`);

  it.each([
    // [path, status, style]: the style of the route the path names, however it is spelt.
    ['/tenant/%74oken', 405, 'json'],
    ['/tenant/tok%65n', 405, 'json'],
    ['/tenant/jwk%73', 200, 'json'],
    ['/tenant/.well-known/no-such-document', 404, 'json'],
    ['/tenant/%2Ewell-known/no-such-document', 404, 'json'],
    ['/tenant/.well-known/%zz', 400, 'json'],
    ['/tenant/.well-known/openid-configuration%C0%80', 400, 'json'],
    ['/tenant/token/', 404, 'page'],
    ['/tenant/token%2F', 404, 'page'],
    ['/tenant//token', 404, 'page'],
    ['/tenant/%zz', 400, 'page'],
    ['/tenant/tok%zzen', 400, 'page'],
    [`/tenant/interaction/${'i'.repeat(300)}`, 414, 'page'],
    ['/token', 404, 'page'],
    ['/.well-known/openid-configuration', 404, 'page'],
  ] as const)('gets %s answered %i in the %s style, with no internals', async (path, status, style) => {
    const answer = await get(path);
    expect(answer.status, answer.body.slice(0, 200)).toBe(status);
    const type = headerIn(answer.head, 'content-type')[0] ?? '';
    expect(type).toMatch(style === 'json' ? /^application\/([a-z-]+\+)?json/ : /^text\/html/);
    expect(answer.body).not.toMatch(internalsPattern);
    expect(answer.body).not.toMatch(/FST_|statusCode/);
    expect(headerIn(answer.head, 'x-request-id')).toHaveLength(1);
  });

  it('gets 405 with Allow, as OAuth JSON, for a wrong method on a JSON endpoint under the issuer path', async () => {
    const answer = await rawExchange(
      port,
      'DELETE /tenant/.well-known/openid-configuration HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    expect(answer.status).toBe(405);
    expect(headerIn(answer.head, 'allow')).toEqual(['GET']);
    expect(JSON.parse(answer.body).error).toBe('invalid_request');
  });

  it.each([
    ['65 characters', 'a'.repeat(65)],
    ['8 KB', 'r'.repeat(8192)],
    ['markup', '<script>alert(1)</script>'],
    ['a forged log record', '"}{"level":60,"msg":"forged"'],
    ['UTF-8 bytes', 'caf\xc3\xa9'],
    ['a tab', 'a\tb'],
    ['a space', 'a b'],
  ])('cannot get an X-Request-Id of %s echoed or logged: it is replaced', async (_label, id) => {
    for (const path of ['/tenant/no-such-page', '/tenant/.well-known/no-such-document', '/tenant/%zz']) {
      const answer = await get(path, `X-Request-Id: ${id}\r\n`);
      const [echoed] = headerIn(answer.head, 'x-request-id');
      expect(echoed).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.body).not.toContain(id);
      expect(logLines.some((line) => line.includes(`"reqId":"${echoed}"`))).toBe(true);
    }
    expect(logLines.join('')).not.toContain(id.length > 20 ? id.slice(0, 20) : `"reqId":"${id}"`);
  });

  it('cannot choose the id by sending X-Request-Id twice: neither is kept', async () => {
    const answer = await get('/tenant/no-such-page', 'X-Request-Id: first\r\nX-Request-Id: second\r\n');
    const echoed = headerIn(answer.head, 'x-request-id');
    expect(echoed).toHaveLength(1);
    expect(echoed[0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('cannot smuggle a header through X-Request-Id with a bare CR, a folded line or a NUL: a plain 400', async () => {
    for (const header of [
      'X-Request-Id: id\rSet-Cookie: planted=1\r\n',
      'X-Request-Id: id\r\n Set-Cookie: planted=1\r\n',
      'X-Request-Id: id\x00x\r\n',
    ]) {
      const answer = await get('/tenant/no-such-page', header);
      expect(answer.status).toBe(400);
      expect(answer.head.toLowerCase()).not.toContain('planted');
    }
  });

  it("keeps a proxy's well-formed id, on a page, a JSON error and a router error alike, and logs under it", async () => {
    for (const [path, id] of [
      ['/tenant/login', 'edge:trace.1_2-3'],
      ['/tenant/token', 'edge:trace.4_5-6'],
      ['/tenant/%zz', 'edge:trace.7_8-9'],
    ] as const) {
      const answer = await get(path, `X-Request-Id: ${id}\r\n`);
      expect(headerIn(answer.head, 'x-request-id')).toEqual([id]);
      expect(answer.body).not.toContain(id);
      expect(logLines.some((line) => line.includes(`"reqId":"${id}"`))).toBe(true);
    }
  });
});
