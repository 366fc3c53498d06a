import type { AddressInfo } from 'node:net';
import { openMemoryStore } from '@gatehouse/store';
import { startTestIssuer, startTestTracing, type TestTracing } from '@gatehouse/test-kit';
import { SpanKind } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoApi } from '../src/app.js';
import { loadDemoApiConfig } from '../src/config.js';

// The demo API behind a BFF that traces: it continues the BFF's trace from the traceparent it sends.
describe('demo API tracing', () => {
  let tracing: TestTracing;
  let issuer: Awaited<ReturnType<typeof startTestIssuer>>;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    tracing = startTestTracing();
    issuer = await startTestIssuer();
    app = await buildDemoApi(
      loadDemoApiConfig({
        issuer: issuer.issuer,
        audience: 'https://api.test',
        tracing: { enabled: true, trustIncomingTraceContext: true },
      }),
      { store: openMemoryStore(), tracerProvider: tracing.provider },
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await issuer?.stop();
    await tracing?.close();
  });

  it('continues the caller’s trace, with its store calls inside', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await fetch(`${base}/todos`, {
      headers: {
        authorization: `Bearer ${await issuer.mint({ sub: 'alice' })}`,
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      },
    });
    expect(response.status).toBe(200);
    const server = tracing.spans().find((span) => span.kind === SpanKind.SERVER);
    expect(server?.name).toBe('GET /todos');
    expect(server?.spanContext().traceId).toBe(traceId);
    expect(server?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    const store = tracing.spans().filter((span) => span.name.startsWith('store '));
    expect(store.length).toBeGreaterThan(0);
    expect(store.every((span) => span.spanContext().traceId === traceId)).toBe(true);
  });
});
