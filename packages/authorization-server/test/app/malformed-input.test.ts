import {
  type AuthorizationServerUnderTest,
  authorizationUrl,
  getRaw,
  internalsPattern,
  listenAuthorizationServer,
  obtainCode,
  postForm,
  webAppAuthorization,
  webAppRedirect,
} from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// SECURITY.md §1: hostile or malformed input gets the endpoint's own 4xx — OAuth JSON or an HTML
// page — promptly, never a 500, a stack trace or a file path.

type Kind = 'json' | 'page';

describe('malformed input', () => {
  let server: AuthorizationServerUnderTest;

  beforeAll(async () => {
    server = await listenAuthorizationServer();
  });
  afterAll(() => server.close());

  /** The endpoint's own refusal: a 4xx in its format, with nothing of the server's insides. */
  async function expectRefusal(response: Response, kind: Kind, statuses: readonly number[] = [400]) {
    expect(statuses).toContain(response.status);
    const body = await response.text();
    expect(body).not.toMatch(internalsPattern);
    if (kind === 'json') {
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect((JSON.parse(body) as { error: string }).error).toBe('invalid_request');
    } else {
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    }
  }

  const badValues = [
    ['bad percent-encoding', '%ZZ'],
    ['a lone percent sign', 'abc%'],
    ['invalid UTF-8', '%C3%28'],
    ['a truncated UTF-8 sequence', '%E2%82'],
    ['an encoded surrogate', '%ED%A0%80'],
    ['NUL', 'a%00b'],
  ] as const;

  describe('in a query string', () => {
    const endpoints: [string, Kind, (value: string) => string][] = [
      [
        'GET /authorize',
        'page',
        (value) =>
          `/authorize?response_type=code&client_id=web-app&redirect_uri=${encodeURIComponent(webAppRedirect)}&scope=openid&state=${value}`,
      ],
      ['GET /authorize (in the client_id)', 'page', (value) => `/authorize?response_type=code&client_id=${value}`],
      ['GET /logout', 'page', (value) => `/logout?state=${value}`],
      ['GET /login', 'page', (value) => `/login?interaction=${value}`],
      ['GET /register', 'page', (value) => `/register?interaction=${value}`],
    ];
    for (const [endpoint, kind, url] of endpoints) {
      it.each(badValues)(`${endpoint} refuses %s with its 4xx`, async (_label, value) => {
        await expectRefusal(await getRaw(server, `${server.issuer}${url(value)}`), kind);
      });
    }
  });

  describe('in a form body', () => {
    const endpoints: [string, Kind, Record<string, string>][] = [
      ['POST /token', 'json', { authorization: webAppAuthorization }],
      ['POST /revoke', 'json', { authorization: webAppAuthorization }],
      ['POST /introspect', 'json', { authorization: webAppAuthorization }],
      ['POST /authorize', 'page', {}],
      ['POST /login', 'page', {}],
      ['POST /register', 'page', {}],
      ['POST /logout', 'page', {}],
      ['POST /logout/confirm', 'page', {}],
    ];
    for (const [endpoint, kind, headers] of endpoints) {
      const path = endpoint.split(' ')[1] as string;
      it.each(badValues)(`${endpoint} refuses %s with its 4xx`, async (_label, value) => {
        const body = `grant_type=client_credentials&client_id=web-app&token=${value}&email=${value}`;
        await expectRefusal(await postForm(server, `${server.issuer}${path}`, body, headers), kind);
      });
    }

    it('POST /token refuses raw bytes that are not UTF-8 with a 4xx, not a 500', async () => {
      const response = await fetch(`${server.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: webAppAuthorization },
        body: Buffer.concat([Buffer.from('grant_type='), Buffer.from([0xff, 0xfe, 0xc3, 0x28])]),
      });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(await response.text()).not.toMatch(internalsPattern);
    });

    it('POST /token refuses parameter names like __proto__ and constructor with a 4xx', async () => {
      const response = await postForm(
        server,
        `${server.issuer}/token`,
        '__proto__=x&constructor=y&toString=z&hasOwnProperty=w',
        { authorization: webAppAuthorization },
      );
      await expectRefusal(response, 'json');
    });

    it('POST /token refuses more parameters than any request needs', async () => {
      const body = Array.from({ length: 200 }, (_, i) => `p${i}=1`).join('&');
      await expectRefusal(
        await postForm(server, `${server.issuer}/token`, body, { authorization: webAppAuthorization }),
        'json',
      );
    });
  });

  describe('in a path', () => {
    it.each([
      ['bad percent-encoding', '/interaction/%ZZ'],
      ['invalid UTF-8', '/interaction/%C3%28'],
      ['NUL', '/interaction/%00'],
      ['an overlong id', `/interaction/${'a'.repeat(300)}`],
      ['an unknown id', `/interaction/${'a'.repeat(32)}`],
    ])('the interaction page answers %s with an HTML error page', async (_label, path) => {
      await expectRefusal(await getRaw(server, `${server.issuer}${path}`), 'page', [400, 404, 414]);
    });
  });

  describe('repeated parameters', () => {
    it.each([
      ['grant_type', 'grant_type=client_credentials&grant_type=client_credentials'],
      ['grant_type with different values', 'grant_type=client_credentials&grant_type=password'],
      ['scope', 'grant_type=client_credentials&scope=api&scope=api'],
      ['resource', 'grant_type=client_credentials&resource=http%3A%2F%2F127.0.0.1%3A5000&resource=x'],
    ])('POST /token refuses a repeated %s with invalid_request', async (_label, body) => {
      await expectRefusal(
        await postForm(server, `${server.issuer}/token`, body, { authorization: webAppAuthorization }),
        'json',
      );
    });

    it('POST /token refuses a repeated code with invalid_request', async () => {
      const issued = await obtainCode(server, { scope: 'openid' });
      const body = `grant_type=authorization_code&redirect_uri=${encodeURIComponent(webAppRedirect)}&code=${issued.code}&code=${issued.code}`;
      await expectRefusal(
        await postForm(server, `${server.issuer}/token`, body, { authorization: webAppAuthorization }),
        'json',
      );
    });

    it('POST /token refuses a repeated client_id from a public client with invalid_request', async () => {
      const body = 'grant_type=authorization_code&code=x&client_id=spa&client_id=spa';
      await expectRefusal(await postForm(server, `${server.issuer}/token`, body), 'json');
    });

    it('GET /authorize refuses a repeated state without echoing either copy', async () => {
      const url = `${authorizationUrl(server.issuer, {
        response_type: 'code',
        client_id: 'web-app',
        redirect_uri: webAppRedirect,
        scope: 'openid',
        state: 'one',
      })}&state=two`;
      const response = await getRaw(server, url);
      expect(response.status).toBe(303);
      const location = new URL(response.headers.get('location') as string);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.has('state')).toBe(false);
    });
  });

  describe('size limits', () => {
    it('echoes a 2 KB state', async () => {
      const state = 's'.repeat(2048);
      const response = await getRaw(
        server,
        authorizationUrl(server.issuer, {
          response_type: 'code',
          client_id: 'web-app',
          redirect_uri: webAppRedirect,
          scope: 'openid',
          prompt: 'none',
          state,
        }),
      );
      expect(new URL(response.headers.get('location') as string).searchParams.get('state')).toBe(state);
    });

    it('refuses a 100 KB state in the query promptly with a 4xx', async () => {
      const started = performance.now();
      const response = await getRaw(
        server,
        authorizationUrl(server.issuer, {
          response_type: 'code',
          client_id: 'web-app',
          redirect_uri: webAppRedirect,
          scope: 'openid',
          state: 's'.repeat(100_000),
        }),
      );
      expect([400, 413, 414, 431]).toContain(response.status);
      expect(response.headers.get('location')).toBeNull();
      expect(performance.now() - started).toBeLessThan(2000);
    });

    it('refuses a 100 KB state in a POST to /authorize promptly with 413', async () => {
      const started = performance.now();
      const response = await postForm(server, `${server.issuer}/authorize`, {
        response_type: 'code',
        client_id: 'web-app',
        redirect_uri: webAppRedirect,
        scope: 'openid',
        state: 's'.repeat(100_000),
      });
      await expectRefusal(response, 'page', [413]);
      expect(response.headers.get('location')).toBeNull();
      expect(performance.now() - started).toBeLessThan(2000);
    });

    it('refuses a 10 KB state in a POST to /authorize with a 4xx and no redirect', async () => {
      const response = await postForm(server, `${server.issuer}/authorize`, {
        response_type: 'code',
        client_id: 'web-app',
        redirect_uri: webAppRedirect,
        scope: 'openid',
        state: 's'.repeat(10_000),
      });
      await expectRefusal(response, 'page');
      expect(response.headers.get('location')).toBeNull();
    });

    it.each([
      ['POST /token', 'json'],
      ['POST /revoke', 'json'],
      ['POST /introspect', 'json'],
      ['POST /login', 'page'],
      ['POST /register', 'page'],
    ] as const)('%s refuses a body over 64 KB with 413', async (endpoint, kind) => {
      const body = `grant_type=client_credentials&filler=${'x'.repeat(70 * 1024)}`;
      const response = await postForm(server, `${server.issuer}${endpoint.split(' ')[1]}`, body, {
        authorization: webAppAuthorization,
      });
      expect(response.status).toBe(413);
      const text = await response.text();
      expect(text).not.toMatch(internalsPattern);
      expect(response.headers.get('content-type')).toMatch(kind === 'json' ? /^application\/json/ : /^text\/html/);
    });

    it('refuses oversized headers with 431', async () => {
      const response = await getRaw(server, `${server.issuer}/login`, { cookie: `big=${'a'.repeat(32 * 1024)}` });
      expect(response.status).toBe(431);
    });
  });

  describe('wrong methods', () => {
    it.each([
      ['PUT', '/authorize', ['GET', 'POST']],
      ['DELETE', '/token', ['POST']],
      ['GET', '/revoke', ['POST']],
      ['GET', '/introspect', ['POST']],
      ['POST', '/jwks', ['GET']],
      ['PATCH', '/userinfo', ['GET', 'POST']],
      ['DELETE', '/logout', ['GET', 'POST']],
    ])('%s %s answers 405 with an Allow header', async (method, path, allowed) => {
      const response = await fetch(`${server.issuer}${path}`, { method, redirect: 'manual' });
      expect(response.status).toBe(405);
      const allow = (response.headers.get('allow') ?? '').split(',').map((value) => value.trim());
      for (const expected of allowed) expect(allow).toContain(expected);
      expect(allow).not.toContain(method);
      expect(await response.text()).not.toMatch(internalsPattern);
    });

    it('answers 405 for a percent-encoded spelling of the path too (the router decodes it)', async () => {
      const response = await fetch(`${server.issuer}/%72evoke`, { method: 'GET', redirect: 'manual' });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    });

    it('answers from its own routes only: another server in the process does not add to them', async () => {
      const withRegistration = await listenAuthorizationServer({ registration: true });
      const without = await listenAuthorizationServer({ registration: false });
      try {
        const response = await fetch(`${without.issuer}/register`, { redirect: 'manual' });
        expect(response.status).toBe(404);
        expect(response.headers.get('allow')).toBeNull();
        expect((await fetch(`${withRegistration.issuer}/register`, { method: 'PUT' })).status).toBe(405);
      } finally {
        await withRegistration.close();
        await without.close();
      }
    });
  });

  describe('response headers', () => {
    it('never let CR/LF from state reach the Location header', async () => {
      const response = await getRaw(
        server,
        authorizationUrl(server.issuer, {
          response_type: 'code',
          client_id: 'web-app',
          redirect_uri: webAppRedirect,
          scope: 'openid',
          prompt: 'none',
          state: 'x\r\nSet-Cookie: injected=1\r\nX-Injected: 1',
        }),
      );
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).not.toMatch(/[\r\n]/);
      expect(response.headers.get('x-injected')).toBeNull();
      expect(response.headers.getSetCookie()).toEqual([]);
    });
  });
});
