import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { openMemoryStore } from '@gatehouse/store';
import { startTestIssuer } from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoApi } from '../src/app.js';
import { loadDemoApiConfig } from '../src/config.js';

// Errors the framework raises (no route, a bad URL, a body it cannot parse, a raw HTTP parse error)
// answer like the routes' own errors, `{ error, message }`, and never name Fastify's internals or echo
// what the caller sent: a reflected path is an injection vector and a framework code helps a scanner.
describe('demo API error replies', () => {
  let issuer: Awaited<ReturnType<typeof startTestIssuer>>;
  let app: FastifyInstance;
  let base: string;
  let authorization: string;

  beforeAll(async () => {
    issuer = await startTestIssuer();
    app = await buildDemoApi(loadDemoApiConfig({ issuer: issuer.issuer, audience: 'https://api.test' }), {
      store: openMemoryStore(),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    authorization = `Bearer ${await issuer.mint()}`;
  });
  afterAll(async () => {
    await app.close();
    await issuer.stop();
  });

  /** The body has exactly the demo API's shape, and nothing of the request or the framework in it. */
  async function expectDemoError(response: Response, status: number, error: string, sent: string[] = []) {
    const text = await response.text();
    expect(response.status, text).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['error', 'message']);
    expect(body.error).toBe(error);
    expect(typeof body.message).toBe('string');
    expect(text).not.toMatch(/FST_|statusCode|Route /);
    for (const value of sent) expect(text).not.toContain(value);
  }

  it('answers an unknown route with 404 not_found, token or not, without echoing the path', async () => {
    await expectDemoError(await fetch(`${base}/x-probe-path`), 404, 'not_found', ['x-probe-path']);
    await expectDemoError(await fetch(`${base}/x-probe-path`, { headers: { authorization } }), 404, 'not_found', [
      'x-probe-path',
    ]);
  });

  it('answers a method the route does not serve with 405 and Allow', async () => {
    const response = await fetch(`${base}/todos`, { method: 'PUT', headers: { authorization } });
    expect(response.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'HEAD', 'POST']);
    await expectDemoError(response, 405, 'method_not_allowed', ['PUT']);
    const patchForecast = await fetch(`${base}/weatherforecast`, { method: 'PATCH' });
    expect(patchForecast.headers.get('allow')).toBe('GET, HEAD');
    await expectDemoError(patchForecast, 405, 'method_not_allowed');
    const onId = await fetch(`${base}/todos/00000000-0000-0000-0000-000000000000`, { method: 'GET' });
    expect(onId.headers.get('allow')?.split(', ').sort()).toEqual(['DELETE', 'PATCH']);
    await expectDemoError(onId, 405, 'method_not_allowed', ['00000000-0000']);
  });

  it.each([
    ['invalid percent-encoding', '/todos/%zzprobe'],
    ['an overlong UTF-8 slash', '/todos/%C0%AFprobe'],
    ['a lone percent sign', '/%probe'],
  ])('answers a URL with %s with 400 invalid_request, not echoing it', async (_, path) => {
    const response = await fetch(`${base}${path}`, { method: 'DELETE', headers: { authorization } });
    await expectDemoError(response, 400, 'invalid_request', ['probe']);
  });

  it.each([
    ['malformed JSON', 'application/json', '{"title": probe'],
    ['an empty JSON body', 'application/json', ''],
  ])('answers %s with 400 invalid_request', async (_, contentType, body) => {
    const response = await fetch(`${base}/todos`, {
      method: 'POST',
      headers: { authorization, 'content-type': contentType },
      body,
    });
    await expectDemoError(response, 400, 'invalid_request', ['probe', 'application/json']);
  });

  it('answers an unsupported content type with 415, not echoing it', async () => {
    const response = await fetch(`${base}/todos`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/x-probe-type' },
      body: 'title=x',
    });
    await expectDemoError(response, 415, 'unsupported_media_type', ['x-probe-type']);
  });

  it('answers a body over the limit with 413', async () => {
    const response = await fetch(`${base}/todos`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'x'.repeat(100_000) }),
    });
    await expectDemoError(response, 413, 'request_too_large');
  });

  it('keeps schema messages and the routes’ own errors as they were', async () => {
    const response = await fetch(`${base}/todos`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: '{"title":""}',
    });
    await expectDemoError(response, 400, 'invalid_request');
  });

  /** Sends raw bytes, as no HTTP client would, and returns what the server wrote before closing. */
  function sendRaw(request: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect((app.server.address() as AddressInfo).port, '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString('latin1');
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(received));
      socket.end(request, 'latin1');
    });
  }

  it.each([
    ['headers over the limit', 431, `GET /todos HTTP/1.1\r\nHost: a\r\nX-Probe: ${'a'.repeat(20_000)}\r\n\r\n`],
    ['a control character in the target', 400, 'GET /todos/\x01probe HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['a broken request line', 400, 'GET /todos HTTP/9.probe\r\nHost: a\r\n\r\n'],
  ])('answers %s (an HTTP parse error) with %i in the same JSON shape', async (_, status, raw) => {
    const answer = await sendRaw(raw);
    expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['error', 'message']);
    expect(answer).not.toMatch(/probe|statusCode|Client Error/);
  });
});
