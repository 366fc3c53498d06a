import type { AddressInfo } from 'node:net';
import { startTestIssuer } from '@gatehouse/test-kit';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expressCors, expressRequireToken } from '../../src/adapters/express.js';
import { decoratePrincipal, requireToken, resourceServer } from '../../src/adapters/fastify.js';
import { verifyWebRequest } from '../../src/adapters/web.js';
import { createCorsPolicy } from '../../src/core/cors.js';
import { createRequestVerifier, type RequestVerifier } from '../../src/core/verify-request.js';

// One core, three adapters: each must answer the same request the same way.
let issuer: Awaited<ReturnType<typeof startTestIssuer>>;
let verifier: RequestVerifier;
beforeAll(async () => {
  issuer = await startTestIssuer();
  verifier = createRequestVerifier({ issuer: issuer.issuer, audience: 'https://api.test', realm: 'demo' });
});
afterAll(() => issuer.stop());

/** [status, WWW-Authenticate, body] for each case, whatever the framework. */
type Answer = [number, string | null, unknown];

async function cases(call: (authorization?: string, search?: string) => Promise<Answer>) {
  const good = await issuer.mint();
  const noScope = await issuer.mint({ scope: 'read' });
  return {
    ok: await call(`Bearer ${good}`),
    missing: await call(undefined),
    malformed: await call('Bearer a b'),
    scope: await call(`Bearer ${noScope}`),
    invalid: await call(`Bearer ${good.slice(0, -4)}AAAA`),
    queryOnly: await call(undefined, `?access_token=${good}`),
    twoPlaces: await call(`Bearer ${good}`, `?access_token=${good}`),
  };
}

function expectRfc6750(answers: Awaited<ReturnType<typeof cases>>) {
  expect(answers.ok[0]).toBe(200);
  expect(answers.ok[2]).toEqual({ sub: 'alice', kind: 'user' });
  expect(answers.missing.slice(0, 2)).toEqual([401, 'Bearer realm="demo"']);
  expect(answers.malformed[0]).toBe(400);
  expect(answers.malformed[1]).toMatch(/^Bearer realm="demo", error="invalid_request", error_description="/);
  expect(answers.scope[0]).toBe(403);
  expect(answers.scope[1]).toMatch(/error="insufficient_scope".*scope="api"$/);
  expect(answers.invalid[0]).toBe(401);
  expect(answers.invalid[1]).toMatch(/error="invalid_token"/);
  for (const refused of [answers.queryOnly, answers.twoPlaces]) {
    expect(refused[0]).toBe(400);
    expect(refused[1]).toMatch(/error="invalid_request"/);
  }
}

describe('adapters', () => {
  it('Fastify: a preHandler that sets request.principal', async () => {
    const app = Fastify();
    decoratePrincipal(app);
    app.get('/todos', { preHandler: requireToken(verifier, { allOf: ['api'] }) }, async (request) => ({
      sub: request.principal?.subject,
      kind: request.principal?.kind,
    }));
    const answers = await cases(async (authorization, search = '') => {
      const response = await app.inject({ url: `/todos${search}`, headers: authorization ? { authorization } : {} });
      return [response.statusCode, (response.headers['www-authenticate'] as string) ?? null, response.json()];
    });
    expectRfc6750(answers);
    await app.close();
  });

  it('Express: middleware that sets res.locals.principal', async () => {
    const app = express();
    app.use(expressCors(createCorsPolicy({ origins: ['https://app.test'] })));
    app.get('/todos', expressRequireToken(verifier, { allOf: ['api'] }), (_request, response) => {
      response.json({ sub: response.locals.principal.subject, kind: response.locals.principal.kind });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const answers = await cases(async (authorization, search = '') => {
      const response = await fetch(`${base}/todos${search}`, { headers: authorization ? { authorization } : {} });
      return [response.status, response.headers.get('www-authenticate'), await response.json()];
    });
    expectRfc6750(answers);
    const preflight = await fetch(`${base}/todos`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.test',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.test');
    server.close();
  });

  it('web standard: a Principal or the Response to send', async () => {
    const answers = await cases(async (authorization, search = '') => {
      const request = new Request(`https://api.test/todos${search}`, {
        headers: authorization ? { authorization } : {},
      });
      const result = await verifyWebRequest(verifier, request, { allOf: ['api'] });
      if (result instanceof Response)
        return [result.status, result.headers.get('www-authenticate'), await result.json()];
      return [200, null, { sub: result.subject, kind: result.kind }];
    });
    expectRfc6750(answers);
  });

  it('Fastify plugin: every route protected unless public, scopes per route, checked before the body', async () => {
    const app = Fastify();
    await app.register(resourceServer, { verifier, scopes: { allOf: ['api'] } });
    app.get('/todos', async (request) => ({ sub: request.principal?.subject, kind: request.principal?.kind }));
    app.post(
      '/todos',
      {
        config: { scopes: { anyOf: ['write', 'admin'] } },
        schema: { body: { type: 'object', required: ['title'], properties: { title: { type: 'string' } } } },
      },
      async () => ({ created: true }),
    );
    app.get('/health', { config: { isPublic: true } }, async () => ({ ok: true }));
    await app.register(async (child) => {
      child.get('/child', async () => ({ reached: true }));
    });
    const answers = await cases(async (authorization, search = '') => {
      const response = await app.inject({ url: `/todos${search}`, headers: authorization ? { authorization } : {} });
      return [response.statusCode, (response.headers['www-authenticate'] as string) ?? null, response.json()];
    });
    expectRfc6750(answers);
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/child' })).statusCode).toBe(401);
    // Unauthenticated callers learn nothing about the body schema: 401 comes first.
    const noToken = await app.inject({ method: 'POST', url: '/todos', payload: { wrong: 1 } });
    expect(noToken.statusCode).toBe(401);
    const apiOnly = `Bearer ${await issuer.mint({ scope: 'api' })}`;
    const denied = await app.inject({
      method: 'POST',
      url: '/todos',
      headers: { authorization: apiOnly },
      payload: { title: 'x' },
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.headers['www-authenticate']).toMatch(/scope="write admin"/);
    const writer = `Bearer ${await issuer.mint({ scope: 'write' })}`;
    const created = await app.inject({
      method: 'POST',
      url: '/todos',
      headers: { authorization: writer },
      payload: {},
    });
    expect(created.statusCode).toBe(400); // authenticated: now the schema speaks
    await app.close();
  });
});
