import { Transform, type TransformCallback } from 'node:stream';

/** A proxied request's body is larger than `maxRequestBodyBytes`: 413, nothing more is sent upstream. */
export class RequestBodyTooLargeError extends Error {
  readonly code = 'request_body_too_large';
  readonly statusCode = 413;
  constructor() {
    super('the request body is larger than maxRequestBodyBytes');
    this.name = 'RequestBodyTooLargeError';
  }
}

/**
 * Whether a declared `Content-Length` is over `maxBytes`, so the request can be refused before a
 * byte of it is read or the upstream is contacted. A missing length (a chunked body) is not over:
 * {@link limitBody} counts that one as it streams.
 */
export function declaresTooLargeBody(contentLength: string | undefined, maxBytes: number): boolean {
  return contentLength !== undefined && Number(contentLength) > maxBytes;
}

/**
 * The body passed through unchanged, chunk by chunk (backpressure kept), that fails with
 * {@link RequestBodyTooLargeError} as soon as more than `maxBytes` have gone by: the upload upstream
 * is then aborted and never completes.
 */
export function limitBody(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(new RequestBodyTooLargeError());
      else callback(null, chunk);
    },
  });
}
