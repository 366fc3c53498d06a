import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseRequestId, createServer, requestIdHeader, sendJsonError } from '../src/index.js';

describe('request id', () => {
  let app: FastifyInstance;
  afterEach(() => app?.close());

  async function startApp() {
    let next = 0;
    app = createServer({
      logger: false,
      failures: { render: (failure, _request, reply) => sendJsonError(reply, failure.status, { error: failure.kind }) },
      createRequestId: () => `generated-${++next}`,
    });
    app.get('/id', async (request) => ({ id: request.id }));
    await app.ready();
  }

  it('gives each request a new id and echoes it in X-Request-Id', async () => {
    await startApp();
    const first = await app.inject({ url: '/id' });
    const second = await app.inject({ url: '/id' });
    expect(first.json()).toEqual({ id: 'generated-1' });
    expect(first.headers[requestIdHeader]).toBe('generated-1');
    expect(second.headers[requestIdHeader]).toBe('generated-2');
  });

  it("keeps the caller's X-Request-Id when it is short and of safe characters", async () => {
    await startApp();
    const id = '0f8c2b7e-5d1a-4c3b-9e2f-7a6b5c4d3e2f';
    const response = await app.inject({ url: '/id', headers: { [requestIdHeader]: id } });
    expect(response.json()).toEqual({ id });
    expect(response.headers[requestIdHeader]).toBe(id);
  });

  it.each([
    ['too long', 'a'.repeat(65)],
    ['empty', ''],
    ['a space', 'two words'],
    ['a quote and braces', '"}{"level":60'],
    ['a non-ASCII letter', 'caf\u00e9'],
  ])('replaces a caller id that is %s', async (_label, id) => {
    await startApp();
    const response = await app.inject({ url: '/id', headers: { [requestIdHeader]: id } });
    expect(response.headers[requestIdHeader]).toBe('generated-1');
  });

  it('echoes the id on a 404 and on a path the router cannot decode', async () => {
    await startApp();
    expect((await app.inject({ url: '/nowhere' })).headers[requestIdHeader]).toBe('generated-1');
    expect((await app.inject({ url: '/%zz' })).headers[requestIdHeader]).toBe('generated-2');
  });

  it('refuses a repeated header (two values) and draws a random UUID by default', () => {
    expect(chooseRequestId(['one', 'two'])).toMatch(/^[0-9a-f-]{36}$/);
    expect(chooseRequestId(undefined)).toMatch(/^[0-9a-f-]{36}$/);
    expect(chooseRequestId('proxy:trace.1_2-3')).toBe('proxy:trace.1_2-3');
  });
});
