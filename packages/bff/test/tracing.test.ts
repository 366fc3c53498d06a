import { randomBytes } from 'node:crypto';
import { parseTraceparent } from '@gatehouse/server-kit';
import { openMemoryStore } from '@gatehouse/store';
import {
  freePort,
  type RunningAuthorizationServer,
  startAuthorizationServer,
  startTestTracing,
  TestBrowser,
  type TestTracing,
} from '@gatehouse/test-kit';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBff } from '../src/app.js';
import { loadBffConfig } from '../src/config/bff-config.js';
import { startUpstreamApi } from './upstream-api.js';

// The BFF and Gatehouse's authorization server sharing one tracer provider (an in-memory exporter),
// over real HTTP: a proxied call and a sign-in can each be followed as one trace across BFF, AS and API.
describe('tracing across the BFF, the authorization server and the API', () => {
  let tracing: TestTracing;
  let provider: RunningAuthorizationServer;
  let bff: FastifyInstance;
  let untraced: FastifyInstance | undefined;
  let origin: string;
  let api: Awaited<ReturnType<typeof startUpstreamApi>>;
  const clientSecret = randomBytes(24).toString('base64url');

  function configFor(publicUrl: string, tracingOn: boolean) {
    return loadBffConfig({
      publicUrl,
      issuer: provider.issuer,
      clientId: 'demo-bff',
      clientSecret,
      scopes: ['openid', 'profile', 'email', 'api'],
      tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
      store: 'memory',
      routes: [
        { path: '/api', target: api.url, token: 'user', scopes: ['api'] },
        { path: '/public', target: api.url, token: 'none' },
      ],
      tracing: { enabled: tracingOn },
    });
  }

  beforeAll(async () => {
    tracing = startTestTracing();
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    api = await startUpstreamApi();
    provider = await startAuthorizationServer(
      {
        resources: [api.url],
        clients: [
          {
            client_id: 'demo-bff',
            client_secret: clientSecret,
            client_name: 'Demo',
            redirect_uris: [`${origin}/bff/callback`],
            post_logout_redirect_uris: [`${origin}/`],
            grant_types: ['authorization_code', 'refresh_token'],
            scope: 'openid profile email offline_access api',
          },
        ],
        // Only the BFF calls it here: its traceparent continues the BFF's trace.
        tracing: { enabled: true, trustIncomingTraceContext: true },
      },
      { tracerProvider: tracing.provider } as never,
    );
    bff = await createBff(configFor(origin, true), { store: openMemoryStore(), tracerProvider: tracing.provider });
    await bff.listen({ port, host: '127.0.0.1' });
  });
  afterAll(async () => {
    bff?.server.closeAllConnections();
    await bff?.close();
    await untraced?.close();
    await provider?.close();
    await api?.stop();
    await tracing?.close();
  }, 90_000);
  beforeEach(() => tracing.reset());

  async function logIn(browser: TestBrowser): Promise<{ code: string }> {
    const start = await browser.navigate('/bff/login?returnUrl=/todos');
    expect(start.status).toBe(302);
    const callback = await new TestBrowser().authorize(
      start.headers.get('location') as string,
      `${origin}/bff/callback`,
    );
    const landing = await browser.navigate(callback.href);
    expect(landing.status).toBe(200);
    return { code: callback.searchParams.get('code') as string };
  }

  const servers = (name: string) =>
    tracing.spans().filter((span) => span.kind === SpanKind.SERVER && span.name === name);
  const scopeOf = (span: ReadableSpan) => span.instrumentationScope.name;
  const inTrace = (traceId: string) => tracing.spans().filter((span) => span.spanContext().traceId === traceId);

  it('follows a proxied call from the BFF’s server span through its client span to the API', async () => {
    const browser = new TestBrowser({ origin });
    await logIn(browser);
    tracing.reset();
    expect((await browser.fetch('/api/todos?page=2', { csrf: true })).status).toBe(200);

    const [server] = servers('GET /api/*');
    expect(server?.attributes).toMatchObject({ 'http.route': '/api/*', 'url.path': '/api/todos' });
    expect(server?.attributes['http.response.status_code']).toBe(200);
    const traceId = server?.spanContext().traceId as string;
    const client = inTrace(traceId).find((span) => span.kind === SpanKind.CLIENT && span.name === 'GET');
    expect(client?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(client?.attributes).toMatchObject({ 'url.full': `${api.url}/todos`, 'http.response.status_code': 200 });
    // The API continues the trace: its parent is the BFF's client span.
    const sent = parseTraceparent(api.seen.at(-1)?.headers.traceparent);
    expect(sent?.traceId).toBe(traceId);
    expect(sent?.spanId).toBe(client?.spanContext().spanId);
    // The session was read from the store within the same request.
    const storeSpans = inTrace(traceId).filter((span) => span.name.startsWith('store '));
    expect(storeSpans.length).toBeGreaterThan(0);
    expect(storeSpans[0]?.attributes['gatehouse.store.backend']).toBe('memory');
  });

  it('shows the authorization server’s token endpoint inside the trace of the BFF’s callback', async () => {
    await logIn(new TestBrowser({ origin }));
    const [callback] = servers('GET /bff/callback');
    expect(scopeOf(callback as ReadableSpan)).toBe('@gatehouse/bff');
    const trace = inTrace(callback?.spanContext().traceId as string);
    const token = trace.find((span) => span.kind === SpanKind.SERVER && span.name === 'POST /token');
    expect(token && scopeOf(token)).toBe('@gatehouse/authorization-server');
    // The token request's parent is the BFF's CLIENT span for it, itself under the callback.
    const call = trace.find((span) => span.spanContext().spanId === token?.parentSpanContext?.spanId);
    expect(call?.kind).toBe(SpanKind.CLIENT);
    expect(call?.attributes['url.full']).toBe(`${provider.issuer}/token`);
    expect(call?.parentSpanContext?.spanId).toBe(callback?.spanContext().spanId);
    // The AS's own store calls for the code are in the trace too.
    expect(
      trace.some((span) => scopeOf(span) === '@gatehouse/authorization-server' && span.name === 'store take'),
    ).toBe(true);
  });

  it('a log or trace reader finds no token, code, secret or cookie in any span', async () => {
    const browser = new TestBrowser({ origin });
    const { code } = await logIn(browser);
    expect((await browser.fetch('/api/todos?access_token=from-the-query', { csrf: true })).status).toBe(200);
    const bearer = String(api.seen.at(-1)?.headers.authorization ?? '').slice('Bearer '.length);
    const cookies = browser.cookieNames().map((name) => browser.cookie(name) as string);
    const secrets = [bearer, code, clientSecret, 'from-the-query', ...cookies];
    expect(secrets.every((secret) => secret.length >= 8)).toBe(true);
    const everything = JSON.stringify(
      tracing.spans().map((span) => ({
        name: span.name,
        attributes: span.attributes,
        events: span.events,
        links: span.links,
        status: span.status,
        resource: span.resource.attributes,
      })),
    );
    expect(tracing.spans().length).toBeGreaterThan(10);
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });

  it('a stranger’s traceparent neither pins the BFF’s trace nor reaches the API', async () => {
    const pinned = '0af7651916cd43dd8448eb211c80319c';
    const answer = await new TestBrowser({ origin }).fetch('/public/hello', {
      csrf: true,
      headers: { traceparent: `00-${pinned}-b7ad6b7169203331-01`, tracestate: 'evil=1' },
    });
    expect(answer.status).toBe(200);
    const [server] = servers('GET /public/*');
    expect(server?.spanContext().traceId).not.toBe(pinned);
    expect(server?.parentSpanContext).toBeUndefined();
    const seen = api.seen.at(-1)?.headers;
    expect(parseTraceparent(seen?.traceparent)?.traceId).toBe(server?.spanContext().traceId);
    expect(seen?.tracestate).toBeUndefined();
  });

  it('with tracing off makes no span and adds no traceparent', async () => {
    const port = await freePort();
    untraced = await createBff(configFor(`http://127.0.0.1:${port}`, false), {
      store: openMemoryStore(),
      tracerProvider: tracing.provider,
    });
    await untraced.listen({ port, host: '127.0.0.1' });
    tracing.reset();
    const answer = await new TestBrowser({ origin: `http://127.0.0.1:${port}` }).fetch('/public/hello', { csrf: true });
    expect(answer.status).toBe(200);
    expect(api.seen.at(-1)?.headers.traceparent).toBeUndefined();
    expect(tracing.spans().filter((span) => scopeOf(span) === '@gatehouse/bff')).toEqual([]);
  });
});
