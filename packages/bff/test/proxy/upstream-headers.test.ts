import { describe, expect, it } from 'vitest';
import { forNextHop } from '../../src/proxy/upstream-headers.js';

describe('forNextHop', () => {
  it('drops the hop-by-hop headers of RFC 9110 §7.6.1 and keeps end-to-end ones', () => {
    const headers = {
      connection: 'keep-alive',
      'keep-alive': 'timeout=5',
      'proxy-connection': 'keep-alive',
      te: 'trailers',
      trailer: 'x-checksum',
      'transfer-encoding': 'chunked',
      upgrade: 'h2c',
      'content-type': 'application/json',
      'content-length': '12',
    };
    expect(forNextHop(headers)).toEqual({ 'content-type': 'application/json', 'content-length': '12' });
  });

  it('drops every header named in Connection, whatever its case, spacing or repetition', () => {
    const headers = {
      connection: ['Keep-Alive ,  X-Internal-Route', ' ,x-Trace-Hop'],
      'x-internal-route': 'node-7',
      'x-trace-hop': 'abc',
      'x-kept': 'yes',
    };
    expect(forNextHop(headers)).toEqual({ 'x-kept': 'yes' });
  });

  it('drops the extra names it is given and leaves the input alone', () => {
    const headers = { 'set-cookie': ['a=1'], 'x-kept': 'yes', connection: 'close' };
    expect(forNextHop(headers, new Set(['set-cookie']))).toEqual({ 'x-kept': 'yes' });
    expect(headers).toEqual({ 'set-cookie': ['a=1'], 'x-kept': 'yes', connection: 'close' });
  });

  it('cannot be made to drop a header by naming nothing or something odd in Connection', () => {
    expect(forNextHop({ connection: '', 'x-kept': '1' })).toEqual({ 'x-kept': '1' });
    expect(forNextHop({ connection: ',,,', 'x-kept': '1' })).toEqual({ 'x-kept': '1' });
  });
});
