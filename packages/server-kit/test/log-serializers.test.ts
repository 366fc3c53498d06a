import { describe, expect, it } from 'vitest';
import { createServer, type PinoOptions, safeLoggerOptions, safeLogSerializers, sendJsonError } from '../src/index.js';

describe('safe log serializers', () => {
  it('log a request by method and path, without its query, headers or body', () => {
    const request = { method: 'GET', url: '/callback?code=secret-code&state=s', headers: { cookie: 'sid=secret' } };
    expect(safeLogSerializers.req(request)).toEqual({ method: 'GET', path: '/callback' });
    expect(safeLogSerializers.res({ statusCode: 302 })).toEqual({ statusCode: 302 });
  });

  it("replace the caller's serializers without changing the caller's options", () => {
    const stream = { write: () => undefined };
    const ownSerializer = (request: { url?: string }) => ({ url: request.url });
    const options: PinoOptions = { level: 'info', stream, serializers: { req: ownSerializer } };
    expect(safeLoggerOptions(options)).toEqual({ level: 'info', stream, serializers: safeLogSerializers });
    expect(options.serializers?.req).toBe(ownSerializer);
    expect(safeLoggerOptions(true)).toEqual({ serializers: safeLogSerializers });
    expect(safeLoggerOptions(false)).toBe(false);
  });

  it('keep a query string out of the request log lines of a server', async () => {
    const lines: string[] = [];
    const app = createServer({
      logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } },
      failures: { render: (failure, _request, reply) => sendJsonError(reply, failure.status, { error: failure.kind }) },
    });
    app.get('/callback', async () => 'ok');
    try {
      await app.inject({ url: '/callback?code=secret-code', headers: { 'x-request-id': 'trace-1' } });
    } finally {
      await app.close();
    }
    const incoming = lines.map((line) => JSON.parse(line)).find((line) => line.msg === 'incoming request');
    expect(incoming).toMatchObject({ reqId: 'trace-1', req: { method: 'GET', path: '/callback' } });
    expect(lines.join('\n')).not.toContain('secret-code');
  });
});
