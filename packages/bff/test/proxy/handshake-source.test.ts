import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { handshakeSource } from '../../src/proxy/handshake-source.js';

/** A handshake as the HTTP server hands it over: the peer's address and the headers sent. */
function handshake(remoteAddress: string | undefined, forwardedFor?: string): IncomingMessage {
  return {
    socket: { remoteAddress },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  } as unknown as IncomingMessage;
}

describe('handshakeSource', () => {
  it('is the peer address, whatever X-Forwarded-For says, when no proxy is trusted', () => {
    expect(handshakeSource([])(handshake('203.0.113.7', '198.51.100.1'))).toBe('203.0.113.7');
  });

  it('is the address a trusted proxy reports, the nearest one it did not add itself', () => {
    const sourceOf = handshakeSource(['127.0.0.1', '10.0.0.0/8']);
    expect(sourceOf(handshake('127.0.0.1', '203.0.113.9'))).toBe('203.0.113.9');
    // A client's own X-Forwarded-For entry stays on the left of what the proxies appended.
    expect(sourceOf(handshake('127.0.0.1', '198.51.100.1, 203.0.113.9, 10.1.2.3'))).toBe('203.0.113.9');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(handshakeSource(['127.0.0.1'])(handshake('203.0.113.7', '198.51.100.1'))).toBe('203.0.113.7');
  });

  it('is undefined once the socket is gone', () => {
    expect(handshakeSource(['127.0.0.1'])(handshake(undefined, '198.51.100.1'))).toBeUndefined();
  });
});
