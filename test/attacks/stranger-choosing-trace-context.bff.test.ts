import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type BffUnderAttack, rawRequest, startBffUnderAttack } from './bff-under-attack.js';

/**
 * A stranger (any browser, or a tool on the BFF's public port) sends its own W3C trace context to a
 * proxied route, hoping the API behind the BFF continues its trace: docs/operations.md tells an
 * operator to trust incoming trace context on "an internal API" whose only caller is the BFF, so a
 * browser's `traceparent` reaching it would let a stranger pick trace ids (collide with or hide among
 * real traces) and force sampling of every call it makes. The BFF is the edge: the browser's
 * `traceparent`, `tracestate` (and `baggage`) must never reach the API — whether the BFF traces
 * (then its own span replaces them) or not, and on a WebSocket handshake as on a request.
 */

const pinned = `00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01`;
const strangersContext = { traceparent: pinned, tracestate: 'evil=1', baggage: 'user=admin' };

let bff: BffUnderAttack | undefined;
afterEach(async () => {
  await bff?.close();
  bff = undefined;
});

function handshake(target: BffUnderAttack, path: string) {
  return rawRequest(target.port, path, {
    headers: {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': randomBytes(16).toString('base64'),
      origin: target.origin,
      ...strangersContext,
    },
  });
}

/** The trace context headers of the API's last request. */
function lastSeenContext(target: BffUnderAttack) {
  const headers = target.api.seen.at(-1)?.headers ?? {};
  return { traceparent: headers.traceparent, tracestate: headers.tracestate, baggage: headers.baggage };
}

describe('a stranger choosing the trace context of calls the BFF proxies', () => {
  it('with BFF tracing on, a proxied request carries none of the stranger’s trace context', async () => {
    bff = await startBffUnderAttack({ tracing: { enabled: true } });
    const answer = await rawRequest(bff.port, '/public/hello', { headers: { 'x-csrf': '1', ...strangersContext } });
    expect(answer.status).toBe(200);
    const seen = lastSeenContext(bff);
    expect(seen.traceparent).not.toBe(pinned);
    expect(seen.tracestate).toBeUndefined();
    expect(seen.baggage).toBeUndefined();
  });

  it('with BFF tracing on, a WebSocket handshake carries none of the stranger’s trace context', async () => {
    bff = await startBffUnderAttack({ tracing: { enabled: true } });
    const before = bff.api.seen.length;
    await handshake(bff, '/public/socket');
    // The API (which does not upgrade) recorded the handshake like a request.
    expect(bff.api.seen.length).toBe(before + 1);
    expect(lastSeenContext(bff)).toEqual({ traceparent: undefined, tracestate: undefined, baggage: undefined });
  });

  it('with BFF tracing off (the default), a proxied request carries none of the stranger’s trace context', async () => {
    bff = await startBffUnderAttack();
    const answer = await rawRequest(bff.port, '/public/hello', { headers: { 'x-csrf': '1', ...strangersContext } });
    expect(answer.status).toBe(200);
    expect(lastSeenContext(bff)).toEqual({ traceparent: undefined, tracestate: undefined, baggage: undefined });
  });
});
