import { connect } from 'node:net';

/**
 * A request as bytes on the wire. Strings are Latin-1 (one char = one byte), so a target or a
 * header may carry what no HTTP client library would send: raw control bytes, invalid UTF-8, a lone
 * `%`, two headers of one name.
 */
export interface RawRequest {
  method: string;
  /** The request target exactly as sent: path and query, percent-encoding left as generated. */
  target: string;
  /** In order, duplicates kept. `Host`, `Connection: close` and `Content-Length` are added. */
  headers: readonly (readonly [string, string])[];
  body?: Buffer;
}

export type RawOutcome =
  | { kind: 'answered'; status: number; headers: Record<string, string[]>; body: Buffer; ms: number }
  | { kind: 'timeout'; ms: number }
  | { kind: 'no-answer'; ms: number; reason: string };

/**
 * Sends one request on a fresh connection and reads the answer until the server closes it
 * (`Connection: close`). A server that answers early (413 before the body is read) and resets the
 * connection still counts as answered, as long as its status line arrived.
 */
export function sendRaw(
  port: number,
  request: RawRequest,
  timeoutMs: number,
  /** The loopback address to send from (all of 127.0.0.0/8 is loopback). Default 127.0.0.1. */
  localAddress = '127.0.0.1',
): Promise<RawOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const answer = parseResponse(Buffer.concat(chunks));
      resolve(answer ? { kind: 'answered', ...answer, ms: elapsed() } : { kind: 'no-answer', ms: elapsed(), reason });
    };
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      socket.destroy();
      // A complete answer on a connection the server keeps open is an answer, not a hang.
      const answer = parseResponse(Buffer.concat(chunks), { requireComplete: true });
      resolve(answer ? { kind: 'answered', ...answer, ms: elapsed() } : { kind: 'timeout', ms: elapsed() });
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => finish('closed'));
    socket.on('close', () => finish('closed'));
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
    socket.on('connect', () => writeRequest(socket, port, request));
  });
}

function writeRequest(socket: ReturnType<typeof connect>, port: number, request: RawRequest): void {
  const names = new Set(request.headers.map(([name]) => name.toLowerCase()));
  const lines = [`${request.method} ${request.target} HTTP/1.1`];
  if (!names.has('host')) lines.push(`Host: 127.0.0.1:${port}`);
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  lines.push('Connection: close');
  if (request.body !== undefined && !names.has('transfer-encoding')) {
    lines.push(`Content-Length: ${request.body.length}`);
  }
  socket.write(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'));
  if (request.body !== undefined && request.body.length > 0) socket.write(request.body);
}

const maxKeptBody = 1024 * 1024;

/** Status, headers and body of the first final (non-1xx) response in `data`, if its head arrived. */
function parseResponse(data: Buffer, options: { requireComplete?: boolean } = {}) {
  let rest = data;
  for (;;) {
    const headEnd = rest.indexOf('\r\n\r\n');
    if (headEnd === -1) return undefined;
    const [statusLine = '', ...headerLines] = rest.subarray(0, headEnd).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
    if (!Number.isInteger(status)) return undefined;
    const headers: Record<string, string[]> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      headers[name] = [...(headers[name] ?? []), line.slice(colon + 1).trim()];
    }
    rest = rest.subarray(headEnd + 4);
    if (status >= 100 && status < 200) continue; // 100 Continue and friends precede the answer
    const isChunked = headers['transfer-encoding']?.some((value) => /chunked/i.test(value)) ?? false;
    const length = Number(headers['content-length']?.[0] ?? Number.NaN);
    let body: Buffer;
    if (isChunked) {
      const decoded = decodeChunked(rest);
      if (options.requireComplete && !decoded.complete) return undefined;
      body = decoded.body;
    } else if (Number.isInteger(length)) {
      if (options.requireComplete && rest.length < length) return undefined;
      body = rest.subarray(0, length);
    } else {
      if (options.requireComplete) return undefined;
      body = rest;
    }
    return { status, headers, body: body.subarray(0, maxKeptBody) };
  }
}

function decodeChunked(data: Buffer): { body: Buffer; complete: boolean } {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', offset);
    if (lineEnd === -1) return { body: Buffer.concat(parts), complete: false };
    const size = Number.parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isInteger(size)) return { body: Buffer.concat(parts), complete: false };
    if (size === 0) return { body: Buffer.concat(parts), complete: true };
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
    if (offset > data.length) return { body: Buffer.concat(parts), complete: false };
  }
}
