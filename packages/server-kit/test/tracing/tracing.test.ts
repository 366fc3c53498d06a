import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { observeStore, openMemoryStore } from '@gatehouse/store';
import { context, SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createServer,
  createTracing,
  parseTraceparent,
  sendJsonError,
  storeSpanObserver,
  type Tracing,
  traceContextHeaders,
  traceFetch,
  tracingConfigSchema,
} from '../../src/index.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const on = (trust = false): Tracing =>
  createTracing({ enabled: true, trustIncomingTraceContext: trust }, { name: 'test', provider }) as Tracing;

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(async () => {
  await provider.shutdown();
  context.disable();
});

/** A loopback HTTP server recording the headers of each request it gets. */
async function startCallee(): Promise<{ url: string; seen: IncomingHttpHeaders[]; stop(): Promise<void> }> {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createHttpServer((request, response) => {
    seen.push(request.headers);
    response.writeHead(request.url?.startsWith('/missing') ? 404 : 200, { 'content-type': 'application/json' });
    response.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('tracing', () => {
  let app: FastifyInstance | undefined;
  let base: string;
  let callee: Awaited<ReturnType<typeof startCallee>>;
  beforeAll(async () => {
    callee = await startCallee();
  });
  afterAll(() => callee.stop());
  afterEach(async () => {
    await app?.close();
    app = undefined;
    exporter.reset();
  });

  /** A server whose routes read the store and call the callee, listening on loopback. */
  async function startApp(tracing: Tracing | undefined) {
    const store = openMemoryStore();
    const traced = tracing ? observeStore(store, storeSpanObserver(tracing)) : store;
    const fetchImpl = tracing ? traceFetch(fetch, tracing) : fetch;
    app = createServer({
      logger: false,
      failures: { render: (failure, _request, reply) => sendJsonError(reply, failure.status, { error: 'failed' }) },
      ...(tracing && { tracing }),
    });
    app.addHook('onClose', () => store.close());
    app.get<{ Params: { id: string } }>('/items/:id', async (request) => {
      await traced.get('items', request.params.id);
      return { ok: true };
    });
    app.post('/items', async (request) => {
      await traced.put('items', 'one', request.body as { name: string });
      const called = await fetchImpl(`${callee.url}/ping?secret=hidden-query-value`);
      return { status: called.status };
    });
    app.get('/broken', async (_request, reply) => reply.code(503).send({ error: 'down' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  }

  it('makes one SERVER span per request, named after the route, with the path but not the query', async () => {
    await startApp(on());
    const response = await fetch(`${base}/items/42?code=hidden-code-value`, {
      headers: { cookie: 'sid=hidden-cookie-value', authorization: 'Bearer hidden-token-value' },
    });
    expect(response.status).toBe(200);
    const server = exporter.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER);
    expect(server?.name).toBe('GET /items/:id');
    expect(server?.attributes).toEqual({
      'http.request.method': 'GET',
      'http.route': '/items/:id',
      'url.path': '/items/42',
      'http.response.status_code': 200,
    });
    const everything = JSON.stringify(exporter.getFinishedSpans().map((span) => [span.name, span.attributes]));
    expect(everything).not.toMatch(/hidden/);
  });

  it('makes store spans children of the request span, across body parsing', async () => {
    await startApp(on());
    const response = await fetch(`${base}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'one' }),
    });
    expect(response.status).toBe(200);
    const spans = exporter.getFinishedSpans();
    const server = spans.find((span) => span.kind === SpanKind.SERVER);
    const put = spans.find((span) => span.name === 'store put');
    expect(put?.attributes).toEqual({
      'db.system.name': 'other_sql',
      'db.operation.name': 'put',
      'gatehouse.store.backend': 'memory',
    });
    expect(put?.spanContext().traceId).toBe(server?.spanContext().traceId);
    expect(put?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
  });

  it('makes a CLIENT span for an outgoing call and sends its traceparent, without the query in url.full', async () => {
    await startApp(on());
    await fetch(`${base}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"x"}',
    });
    const spans = exporter.getFinishedSpans();
    const server = spans.find((span) => span.kind === SpanKind.SERVER);
    const client = spans.find((span) => span.kind === SpanKind.CLIENT && span.name === 'GET');
    expect(client?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(client?.attributes).toMatchObject({
      'http.request.method': 'GET',
      'server.address': '127.0.0.1',
      'url.full': `${callee.url}/ping`,
      'http.response.status_code': 200,
    });
    const sent = parseTraceparent(callee.seen.at(-1)?.traceparent);
    expect(sent?.traceId).toBe(server?.spanContext().traceId);
    expect(sent?.spanId).toBe(client?.spanContext().spanId);
  });

  it('a stranger sending a traceparent cannot choose the trace id (not trusted by default)', async () => {
    await startApp(on());
    const pinned = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await fetch(`${base}/items/1`, { headers: { traceparent: pinned } });
    const server = exporter.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER);
    expect(server?.spanContext().traceId).not.toBe('0af7651916cd43dd8448eb211c80319c');
    expect(server?.parentSpanContext).toBeUndefined();
  });

  it('continues the caller’s trace when configured to trust it, and ignores a malformed one', async () => {
    await startApp(on(true));
    await fetch(`${base}/items/1`, {
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'vendor=1' },
    });
    await fetch(`${base}/items/2`, {
      headers: { traceparent: '00-00000000000000000000000000000000-b7ad6b7169203331-01' },
    });
    const [first, second] = exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.SERVER);
    expect(first?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(first?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(first?.spanContext().traceState?.get('vendor')).toBe('1');
    expect(second?.parentSpanContext).toBeUndefined();
  });

  it('marks a 5xx answer as an error, and names an unrouted request by its method only', async () => {
    await startApp(on());
    await fetch(`${base}/broken`);
    await fetch(`${base}/nowhere/at/all`);
    const [broken, unrouted] = exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.SERVER);
    expect(broken?.status.code).toBe(SpanStatusCode.ERROR);
    expect(broken?.attributes['error.type']).toBe('503');
    expect(unrouted?.name).toBe('GET');
    expect(unrouted?.attributes['http.route']).toBeUndefined();
    expect(unrouted?.attributes['http.response.status_code']).toBe(404);
    expect(unrouted?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('with tracing off makes no span and sends no traceparent', async () => {
    expect(
      createTracing({ enabled: false, trustIncomingTraceContext: true }, { name: 'test', provider }),
    ).toBeUndefined();
    await startApp(undefined);
    const before = callee.seen.length;
    await fetch(`${base}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(callee.seen.length).toBe(before + 1);
    expect(callee.seen.at(-1)?.traceparent).toBeUndefined();
  });

  it('marks a client call the callee refused as failed, and one that found nobody by its error name', async () => {
    const tracing = on();
    const traced = traceFetch(fetch, tracing);
    expect((await traced(`${callee.url}/missing`)).status).toBe(404);
    const closed = await startCallee();
    await closed.stop();
    await expect(traced(`${closed.url}/`)).rejects.toThrow();
    const [refused, unreachable] = exporter.getFinishedSpans();
    expect(refused?.status.code).toBe(SpanStatusCode.ERROR);
    expect(refused?.attributes['error.type']).toBe('404');
    expect(unreachable?.attributes['error.type']).toBe('TypeError');
    // Without a traced request around them these calls are traces of their own.
    expect(unreachable?.parentSpanContext).toBeUndefined();
  });

  it('leaves store calls outside any traced request alone', async () => {
    const store = observeStore(openMemoryStore(), storeSpanObserver(on()));
    await store.get('items', 'x');
    await store.close();
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});

describe('W3C trace context', () => {
  const valid = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it('reads a valid traceparent as a remote, sampled parent', () => {
    expect(parseTraceparent(valid)).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
  });

  it('refuses what §3.2 refuses', () => {
    for (const header of [
      undefined,
      [valid, valid], // repeated
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', // version ff
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01', // zero trace id
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', // zero span id
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', // upper case
      `${valid}-extra`, // version 00 has four fields
      '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01', // short id
    ]) {
      expect(parseTraceparent(header)).toBeUndefined();
    }
  });

  it('reads a later version by its first four fields', () => {
    expect(parseTraceparent(`01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03-more`)?.traceFlags).toBe(1);
  });

  it('writes the traceparent of a span context, and nothing for an invalid one', () => {
    const parsed = parseTraceparent(valid, 'a=1,b=2');
    expect(parsed && traceContextHeaders(parsed)).toEqual({ traceparent: valid, tracestate: 'a=1,b=2' });
    expect(traceContextHeaders({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 })).toEqual({});
  });

  it('is off unless enabled, and refuses unknown keys', async () => {
    const { Value } = await import('@sinclair/typebox/value');
    expect(Value.Default(tracingConfigSchema, {})).toEqual({ enabled: false, trustIncomingTraceContext: false });
    expect(Value.Check(tracingConfigSchema, { enabled: true, trustIncomingTraceContext: false, sample: 1 })).toBe(
      false,
    );
  });
});
