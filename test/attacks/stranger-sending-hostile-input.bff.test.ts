import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BffUnderAttack, rawRequest, startBffUnderAttack } from './bff-under-attack.js';

/**
 * A stranger (no session needed: `none` and `client` routes answer anyone with `x-csrf: 1`) sends the
 * proxy what no browser would: broken percent-encoding, uploads too large for the API or for the
 * BFF, methods a route does not allow. Every answer is the BFF's own 4xx JSON, never a 5xx; and an
 * API behind the BFF cannot make it relay headers meant for one hop only.
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
