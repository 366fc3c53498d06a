import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { declaresTooLargeBody, limitBody, RequestBodyTooLargeError } from '../../src/proxy/request-body-limit.js';

async function consume(chunks: Buffer[], maxBytes: number): Promise<number> {
  let received = 0;
  await pipeline(Readable.from(chunks), limitBody(maxBytes), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) received += chunk.length;
  });
  return received;
}

describe('request body limit', () => {
  it('refuses a declared length over the limit, and nothing at or under it or undeclared', () => {
    expect(declaresTooLargeBody('1025', 1024)).toBe(true);
    expect(declaresTooLargeBody('1024', 1024)).toBe(false);
    expect(declaresTooLargeBody(undefined, 1024)).toBe(false);
  });

  it('passes a streamed body up to the limit through whole', async () => {
    expect(await consume([Buffer.alloc(512), Buffer.alloc(512)], 1024)).toBe(1024);
  });

  it('fails with RequestBodyTooLargeError as soon as the stream passes the limit', async () => {
    await expect(consume([Buffer.alloc(512), Buffer.alloc(512), Buffer.alloc(1)], 1024)).rejects.toBeInstanceOf(
      RequestBodyTooLargeError,
    );
    const error = new RequestBodyTooLargeError();
    expect([error.statusCode, error.code]).toEqual([413, 'request_body_too_large']);
  });
});
