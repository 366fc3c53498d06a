import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseTraceparent } from '@gatehouse/server-kit';
import {
  confidentialClient,
  obtainTokens,
  publicClient,
  type RunningAuthorizationServer,
  startAuthorizationServer,
  startTestTracing,
  type TestTracing,
  webAppLogoutRedirect,
} from '@gatehouse/test-kit';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

/** A client's back-channel logout endpoint on loopback, recording the headers it was sent. */
async function startReceiver() {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    seen.push(request.headers);
    request.resume().on('end', () => response.writeHead(200).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/backchannel-logout`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('authorization server tracing', () => {
  let tracing: TestTracing;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let traced: RunningAuthorizationServer;
  let untraced: RunningAuthorizationServer;

  const clients = () => [{ ...confidentialClient, backchannel_logout_uri: receiver.url }, publicClient];
  beforeAll(async () => {
    tracing = startTestTracing();
    receiver = await startReceiver();
    const deps = { tracerProvider: tracing.provider } as never;
    traced = await startAuthorizationServer({ clients: clients(), tracing: { enabled: true } }, deps);
    untraced = await startAuthorizationServer({ clients: clients() }, deps);
  });
  afterAll(async () => {
    await traced?.close();
    await untraced?.close();
    await receiver?.close();
    await tracing?.close();
  });
  beforeEach(() => tracing.reset());

  const ofServer = (span: ReadableSpan) => span.instrumentationScope.name === '@gatehouse/authorization-server';

  /** Signs in at `server`, then out through end-session, until the back-channel logout has arrived. */
  async function signInAndOut(server: RunningAuthorizationServer) {
    const browser = server.browser();
    const tokens = await obtainTokens(server, { browser });
    const before = receiver.seen.length;
    const logout = await browser.navigate(
      `${server.issuer}/logout?${new URLSearchParams({
        id_token_hint: tokens.id_token as string,
        post_logout_redirect_uri: webAppLogoutRedirect,
      })}`,
    );
    expect(logout.status).toBe(303);
    await vi.waitFor(() => expect(receiver.seen.length).toBe(before + 1), { timeout: 5000 });
    return tokens;
  }

  it('traces the token endpoint with its store calls, and the back-channel logout it sends', async () => {
    const tokens = await signInAndOut(traced);
    const spans = tracing.spans().filter(ofServer);
    const token = spans.find((span) => span.kind === SpanKind.SERVER && span.name === 'POST /token');
    expect(token?.attributes).toMatchObject({ 'http.route': '/token', 'http.response.status_code': 200 });
    // The form body was parsed in between: its store calls are still the request's children.
    const children = spans.filter((span) => span.parentSpanContext?.spanId === token?.spanContext().spanId);
    expect(children.some((span) => span.name === 'store take')).toBe(true);

    const logout = spans.find((span) => span.kind === SpanKind.SERVER && span.name === 'GET /logout');
    await vi.waitFor(() =>
      expect(tracing.spans().some((span) => span.attributes['url.full'] === receiver.url)).toBe(true),
    );
    const delivery = tracing.spans().find((span) => span.attributes['url.full'] === receiver.url);
    expect(delivery?.kind).toBe(SpanKind.CLIENT);
    expect(delivery?.spanContext().traceId).toBe(logout?.spanContext().traceId);
    expect(delivery?.attributes['http.response.status_code']).toBe(200);
    // The client's endpoint can continue the trace.
    expect(parseTraceparent(receiver.seen.at(-1)?.traceparent)?.spanId).toBe(delivery?.spanContext().spanId);

    // A trace reader finds none of the tokens, the client secret or the password.
    const everything = JSON.stringify(tracing.spans().map((span) => [span.name, span.attributes, span.events]));
    const secrets = [tokens.access_token, tokens.refresh_token, tokens.id_token, tokens.issued.code];
    for (const secret of [...secrets, confidentialClient.client_secret, 'id_token_hint']) {
      expect(everything).not.toContain(secret);
    }
  });

  it('makes no span and sends no traceparent with tracing off', async () => {
    await signInAndOut(untraced);
    expect(tracing.spans().filter(ofServer)).toEqual([]);
    expect(receiver.seen.at(-1)?.traceparent).toBeUndefined();
  });
});
