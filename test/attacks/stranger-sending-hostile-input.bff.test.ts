import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BffUnderAttack,
  type RawResponse,
  type RecordingApi,
  rawRequest,
  startBffUnderAttack,
  startRecordingApi,
} from './bff-under-attack.js';

/**
 * A stranger (no session needed: `none` and `client` routes answer anyone with `x-csrf: 1`) sends the
 * proxy what no browser would: broken percent-encoding, uploads too large for the API or for the
 * BFF, methods a route does not allow, paths meant to land outside a route's prefix once the API
 * decodes them. Every answer is the BFF's own 4xx JSON, never a 5xx; and an API behind the BFF cannot
 * make it relay headers meant for one hop only.
 */

const maxRequestBodyBytes = 64 * 1024;
let bff: BffUnderAttack;
beforeAll(async () => {
  bff = await startBffUnderAttack({ maxRequestBodyBytes });
});
afterAll(() => bff.close());

const csrf = { 'x-csrf': '1' };

describe('a stranger sending malformed percent-encoding in a proxied query', () => {
  it.each([
    '/public/stats?days=a%zzb',
    '/public/stats?days=%C0%AF',
    '/public/stats?days=%',
    '/public/stats?%=1',
    '/public/stats?days=%E2%82',
    '/public/stats?days=%ed%a0%80',
    '/api/stats?days=a%zzb',
    '/machine/stats?days=a%zzb',
  ])('gets 400 JSON for %s, and the API never sees it', async (path) => {
    const before = bff.api.seen.length;
    const response = await rawRequest(bff.port, path, { headers: csrf });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(response.body)).toEqual({ error: 'invalid_request', reason: 'malformed_query' });
    expect(bff.api.seen.length).toBe(before);
  });

  it('still gets a well-formed query through byte for byte', async () => {
    const response = await rawRequest(bff.port, '/public/stats?days=7&q=caf%C3%A9+%2B1&empty=', { headers: csrf });
    expect(response.status).toBe(200);
    expect(bff.api.seen.at(-1)?.url).toBe('/public/stats?days=7&q=caf%C3%A9+%2B1&empty=');
  });
});

describe('a stranger sending a path the router cannot decode', () => {
  it.each(['/bff/%zz', '/%zz', '/api/posts%C0%80', '/public/%', '/bff/us%E2%82er'])(
    'gets the BFF’s own 400 JSON for %s: no framework error code, the path not echoed',
    async (path) => {
      const before = bff.api.seen.length;
      const response = await rawRequest(bff.port, path, { headers: csrf });
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toEqual({ error: 'invalid_request', reason: 'malformed_path' });
      expect(response.body).not.toMatch(/FST_|%/);
      expect(bff.api.seen.length).toBe(before);
    },
  );
});

describe('a stranger uploading through the proxy', () => {
  const withAndWithoutExpect: Record<string, string>[] = [{}, { expect: '100-continue' }];
  const upload = (path: string, bytes: number, headers: Record<string, string | number> = {}) =>
    rawRequest(bff.port, path, {
      method: 'POST',
      headers: { ...csrf, 'content-type': 'application/octet-stream', 'content-length': bytes, ...headers },
      body: Buffer.alloc(bytes, 0x61),
    });

  it('gets the upload through when it sends Expect: 100-continue, as curl does for large bodies', async () => {
    const response = await upload('/public/files', 48 * 1024, { expect: '100-continue' });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ bodyBytes: 48 * 1024 });
    expect(bff.api.seen.at(-1)?.headers.expect).toBeUndefined();
  });

  it('gets the API’s own 413 when the API refuses the upload before reading it', async () => {
    for (const headers of withAndWithoutExpect) {
      const response = await upload('/public/upload-limit', 32 * 1024, headers);
      expect(response.status).toBe(413);
      expect(JSON.parse(response.body)).toEqual({ error: 'payload_too_large' });
    }
  });

  it('gets 413 JSON for a body over maxRequestBodyBytes, before the BFF connects to the API', async () => {
    const before = bff.api.seen.length;
    for (const headers of withAndWithoutExpect) {
      const response = await upload('/public/files', maxRequestBodyBytes + 1, headers);
      expect(response.status).toBe(413);
      expect(JSON.parse(response.body)).toEqual({ error: 'payload_too_large', reason: 'request_body_too_large' });
    }
    expect(bff.api.seen.length).toBe(before);
  });

  it('gets 413 JSON for a chunked body that grows past maxRequestBodyBytes, and the API never gets it whole', async () => {
    const response = await rawRequest(bff.port, '/public/files', {
      method: 'POST',
      headers: { ...csrf, 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
      body: Array.from({ length: 10 }, () => Buffer.alloc(16 * 1024, 0x62)),
    });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual({ error: 'payload_too_large', reason: 'request_body_too_large' });
    const seen = bff.api.seen.filter(
      (request) => request.url === '/public/files' && request.headers['transfer-encoding'],
    );
    expect(seen.every((request) => !request.complete && request.bodyBytes <= maxRequestBodyBytes)).toBe(true);
  });

  it('still gets a chunked body within the limit through whole', async () => {
    const response = await rawRequest(bff.port, '/public/files', {
      method: 'POST',
      headers: { ...csrf, 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
      body: Array.from({ length: 3 }, () => Buffer.alloc(16 * 1024, 0x62)),
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ bodyBytes: 48 * 1024 });
  });
});

describe('a stranger calling a proxied route with a method it does not allow', () => {
  it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])(
    'gets 405 with Allow for %s on a GET-only route, and the API never sees it',
    async (method) => {
      const before = bff.api.seen.length;
      for (const path of ['/readonly', '/readonly/items/1']) {
        const response = await rawRequest(bff.port, path, { method, headers: csrf });
        expect(response.status).toBe(405);
        expect(response.headers.allow).toBe('GET');
        expect(JSON.parse(response.body)).toEqual({ error: 'method_not_allowed', reason: 'method_not_allowed' });
      }
      expect(bff.api.seen.length).toBe(before);
    },
  );

  it('gets 405 with Allow for a BFF endpoint called with the wrong method under an encoded spelling', async () => {
    for (const [method, path, allow] of [
      ['GET', '/bff/%6cogout', 'POST'],
      ['DELETE', '/bff/%75ser', 'GET'],
      ['PUT', '/%62ff/offline', 'GET, DELETE'],
    ] as const) {
      const response = await rawRequest(bff.port, path, { method, headers: csrf });
      expect({ path, status: response.status, allow: response.headers.allow }).toEqual({ path, status: 405, allow });
    }
  });
});

describe('an API behind the BFF naming its own headers in Connection', () => {
  it('cannot make the BFF relay them to the browser (hop-by-hop, RFC 9110 §7.6.1)', async () => {
    const response = await rawRequest(bff.port, '/public/hop-by-hop/x', { headers: csrf });
    expect(response.status).toBe(200);
    expect(response.headers['x-upstream-secret']).toBeUndefined();
    expect(response.headers['x-upstream-route']).toBeUndefined();
    expect(response.headers['x-kept']).toBe('end-to-end');
  });

  it('cannot be sent headers the browser named in Connection either', async () => {
    const response = await rawRequest(bff.port, '/public/x', {
      headers: { ...csrf, connection: 'x-browser-hop', 'x-browser-hop': '1', 'x-kept': 'end-to-end' },
    });
    expect(response.status).toBe(200);
    expect(bff.api.seen.at(-1)?.headers['x-browser-hop']).toBeUndefined();
    expect(bff.api.seen.at(-1)?.headers['x-kept']).toBe('end-to-end');
  });
});

/**
 * A WebSocket handshake from the BFF's own origin (a stranger's script on the app's page could make
 * one; a tool can claim any Origin). The API behind the BFF does not upgrade, so a handshake that got
 * through is recorded there like a request.
 */
function upgrade(target: BffUnderAttack, path: string): Promise<RawResponse> {
  return rawRequest(target.port, path, {
    headers: {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': randomBytes(16).toString('base64'),
      origin: target.origin,
    },
  });
}

/** Sends `path` as a request and as a WebSocket upgrade; the answers, and what the API saw meanwhile. */
async function probe(target: BffUnderAttack, api: RecordingApi, path: string) {
  const before = api.seen.length;
  const request = await rawRequest(target.port, path, { headers: csrf });
  const handshake = await upgrade(target, path);
  return { request, handshake, seen: api.seen.slice(before).map((seen) => seen.url) };
}

describe('a stranger probing past a proxied route’s prefix (request and WebSocket upgrade)', () => {
  // `none` routes answer anyone; the API would decode the path once more and resolve what it finds.
  const outsideThePrefix = { status: 404, body: { error: 'not_found', reason: 'path_not_allowed' } };

  async function expectRefusedOutsideThePrefix(path: string) {
    const { request, handshake, seen } = await probe(bff, bff.api, path);
    expect({ path, status: request.status, body: JSON.parse(request.body) }).toEqual({ path, ...outsideThePrefix });
    expect({ path, handshake: handshake.status }).toEqual({ path, handshake: 404 });
    expect({ path, seen }).toEqual({ path, seen: [] });
  }

  it.each([
    '/public/%252e%252e/admin',
    '/public/%252E%252E/',
    '/public/.%252e/admin',
    '/public/x/%252e%252e%252f%252e%252e/admin',
  ])('a stranger cannot reach the API outside the route’s prefix with a double-encoded dot segment: %s', (path) =>
    expectRefusedOutsideThePrefix(path),
  );

  it.each(['/public/..%252fadmin', '/public/x%252f..%252f..%252fadmin', '/public/..%255cadmin'])(
    'a stranger cannot reach the API outside the route’s prefix with a double-encoded slash or backslash: %s',
    (path) => expectRefusedOutsideThePrefix(path),
  );

  it.each(['/public/..;/admin', '/public/..;jsessionid=x/admin', '/public/.;/..;/admin', '/public/..%3b/admin'])(
    'a stranger cannot reach the API outside the route’s prefix with a “..;” segment, which servlet containers read as “..”: %s',
    (path) => expectRefusedOutsideThePrefix(path),
  );

  it.each(['/public/%00', '/public/a%00.json', '/public/x%0d%0aX-Injected:%201', '/public/%1f', '/public/%7F'])(
    'a stranger cannot send the API an encoded control character in the path: %s gets 400 malformed_path',
    async (path) => {
      const { request, handshake, seen } = await probe(bff, bff.api, path);
      expect({ path, status: request.status, body: JSON.parse(request.body) }).toEqual({
        path,
        status: 400,
        body: { error: 'invalid_request', reason: 'malformed_path' },
      });
      expect(request.headers['content-type']).toMatch(/^application\/json/);
      expect({ path, handshake: handshake.status }).toEqual({ path, handshake: 400 });
      expect({ path, seen }).toEqual({ path, seen: [] });
    },
  );

  it('still gets ordinary paths through, dots and encoded text inside a segment included', async () => {
    const { request, handshake, seen } = await probe(
      bff,
      bff.api,
      '/public/v1.2/.well-known/caf%C3%A9/a;b=1/x..y/%2525',
    );
    expect(request.status).toBe(200);
    expect(handshake.status).toBe(200); // the API's answer to the handshake, relayed as a refusal
    expect(seen).toEqual([
      '/public/v1.2/.well-known/caf%C3%A9/a;b=1/x..y/%2525',
      '/public/v1.2/.well-known/caf%C3%A9/a;b=1/x..y/%2525',
    ]);
  });
});

describe('a stranger using the broader of two nested routes', () => {
  // Listed as an operator may list them: the broader, anonymous route first.
  let nested: BffUnderAttack;
  let api: RecordingApi;
  beforeAll(async () => {
    api = await startRecordingApi();
    nested = await startBffUnderAttack({
      routes: [
        { path: '/public', target: `${api.url}/public`, token: 'none' },
        { path: '/public/private', target: `${api.url}/private`, token: 'user' },
      ],
    });
  });
  afterAll(async () => {
    await nested?.close();
    await api?.stop();
  });

  it('cannot skip the more specific route’s session rule with a WebSocket upgrade, nor with a request', async () => {
    const { request, handshake, seen } = await probe(nested, api, '/public/private/feed');
    expect(request.status).toBe(401);
    expect(JSON.parse(request.body)).toEqual({ error: 'unauthenticated', reason: 'no_session' });
    expect(handshake.status).toBe(401);
    expect(seen).toEqual([]);
  });

  it('cannot make a request and an upgrade of one path land on different routes by encoding part of it', async () => {
    const { request, handshake, seen } = await probe(nested, api, '/public/%70rivate/feed');
    expect(request.status).toBe(404);
    expect(handshake.status).toBe(404);
    expect(seen).toEqual([]);
  });

  it('still reaches the broader route’s own paths', async () => {
    const { request, handshake, seen } = await probe(nested, api, '/public/privateer');
    expect(request.status).toBe(200);
    expect(handshake.status).toBe(200);
    expect(seen).toEqual(['/public/privateer', '/public/privateer']);
  });
});

describe('a stranger sending a hostile X-Request-Id through the proxy', () => {
  // An API behind the BFF that, like many, echoes the X-Request-Id it was sent (else answers with its own).
  let api: Server;
  const seenIds: (string | undefined)[] = [];
  let withEcho: BffUnderAttack;
  beforeAll(async () => {
    api = createServer((request, response) => {
      const id = request.headers['x-request-id'];
      seenIds.push(typeof id === 'string' ? id : undefined);
      response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': id ?? 'the-api-own-id' });
      response.end('{}');
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    withEcho = await startBffUnderAttack({ routes: [{ path: '/echo', target, token: 'none' }] });
  });
  afterAll(async () => {
    await withEcho.close();
    api.closeAllConnections();
    await new Promise<void>((resolve) => api.close(() => resolve()));
  });

  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  it.each([
    ['a forged log record', '"}{"level":60,"msg":"admin signed in"'],
    ['300 characters', 'x'.repeat(300)],
    ['markup', '<img src=x onerror=alert(1)>'],
  ])(
    'cannot get an id of %s, which the BFF refused for itself, to the API or back to the browser',
    async (_label, id) => {
      const answer = await rawRequest(withEcho.port, '/echo/anything', { headers: { ...csrf, 'x-request-id': id } });
      expect(answer.status).toBe(200);
      // The id the BFF logs this request under is a new UUID; the answer must carry that one …
      expect(answer.headers['x-request-id']).toMatch(uuid);
      // … and the API must never be handed the value the BFF refused.
      expect(seenIds.at(-1)).not.toBe(id);
    },
  );

  it("answers a proxied call with the BFF's own request id, not the API's", async () => {
    const answer = await rawRequest(withEcho.port, '/echo/anything', { headers: csrf });
    expect(answer.status).toBe(200);
    expect(answer.headers['x-request-id']).toMatch(uuid);
  });
});
