import { randomUUID } from 'node:crypto';

/** The header a request id is read from and echoed in. */
export const requestIdHeader = 'x-request-id';

/**
 * An incoming id is kept only if it is 1–64 letters, digits, `.`, `_`, `:` or `-`: enough for a
 * UUID or a proxy's trace id, nothing that could forge a log line or smuggle a header.
 */
const acceptableRequestId = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The id of one request: the caller's `X-Request-Id` when it is acceptable (so a proxy's id follows the
 * request through our logs), else a new one from `createId`. A repeated header is not acceptable.
 */
export function chooseRequestId(incoming: string | string[] | undefined, createId: () => string = randomUUID): string {
  return typeof incoming === 'string' && acceptableRequestId.test(incoming) ? incoming : createId();
}
