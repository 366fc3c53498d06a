import { StoreClosedError, StoreInputError, StoreUnavailableError } from '@gatehouse/store';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyFailure, createServer, type FailureAnswers, sendJsonError } from '../src/index.js';

/** Renders every shared failure as `{ error: <kind> }`, so a test reads which kind it was. */
const renderKind: FailureAnswers['render'] = (failure, _request, reply) =>
  sendJsonError(reply, failure.status, { error: failure.kind });

class OwnError extends Error {
  override readonly name = 'OwnError';
}

describe('error mapping', () => {
  let app: FastifyInstance;
  afterEach(() => app?.close());

  /** An app whose one route throws what `fail` returns, and whose body limit is 16 bytes. */
  async function appThrowing(fail: () => unknown, answers: FailureAnswers = { render: renderKind }) {
    const lines: string[] = [];
    app = createServer({
      logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } },
      failures: answers,
      bodyLimit: 16,
    });
    app.post('/fail', async () => {
      throw fail();
    });
    await app.ready();
    return lines;
  }

  it('answers a store that is down or closing with 503 and Retry-After', async () => {
    for (const error of [new StoreUnavailableError('connection refused'), new StoreClosedError('closed')]) {
      await appThrowing(() => error);
      const response = await app.inject({ method: 'POST', url: '/fail' });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.json()).toEqual({ error: 'store-unavailable' });
      await app.close();
    }
  });

  it('answers input the store refused with 400, not a 500', async () => {
    await appThrowing(() => new StoreInputError('key must not contain control characters'));
    const response = await app.inject({ method: 'POST', url: '/fail' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'bad-input' });
  });

  it("answers a body over the limit with Fastify's own 413", async () => {
    await appThrowing(() => new Error('not reached'));
    const response = await app.inject({
      method: 'POST',
      url: '/fail',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ filler: 'x'.repeat(64) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({ error: 'framework-refusal' });
  });

  it('answers anything else with 500, logged by type, without its message, stack or path', async () => {
    const lines = await appThrowing(() => new TypeError('secret-detail in /work/somewhere.ts'));
    const response = await app.inject({ method: 'POST', url: '/fail' });
    expect(response.statusCode).toBe(500);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json()).toEqual({ error: 'unexpected' });
    expect(response.body).not.toMatch(/secret-detail|somewhere|\.ts|at /);
    const logged = lines.map((line) => JSON.parse(line) as { msg: string; err?: unknown });
    expect(logged.find((line) => line.msg === 'unexpected error')?.err).toEqual({ type: 'TypeError' });
    expect(lines.join('\n')).not.toContain('secret-detail');
  });

  it('lets the server answer its own errors first and leave the rest to the mapping', async () => {
    await appThrowing(() => new OwnError(), {
      answerOwn: (error, _request, reply) =>
        error instanceof OwnError ? sendJsonError(reply, 418, { error: 'own' }) : undefined,
      render: renderKind,
    });
    const response = await app.inject({ method: 'POST', url: '/fail' });
    expect(response.statusCode).toBe(418);
    expect(response.json()).toEqual({ error: 'own' });
  });

  it('answers a path the router cannot decode through the mapping by default', async () => {
    await appThrowing(() => new Error('not reached'));
    const response = await app.inject({ method: 'GET', url: '/%zz' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'framework-refusal' });
  });

  it('sorts what is thrown without needing a server', () => {
    expect(classifyFailure(new StoreUnavailableError('down'))).toEqual({
      kind: 'store-unavailable',
      status: 503,
      retryAfterSeconds: 5,
    });
    expect(classifyFailure(Object.assign(new Error('too large'), { statusCode: 413 }))).toEqual({
      kind: 'framework-refusal',
      status: 413,
    });
    expect(classifyFailure(Object.assign(new Error('upstream said'), { statusCode: 502 })).kind).toBe('unexpected');
    expect(classifyFailure('a thrown string').kind).toBe('unexpected');
    expect(classifyFailure(null).kind).toBe('unexpected');
  });
});
