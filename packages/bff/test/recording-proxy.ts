import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ForwardedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/**
 * A loopback HTTP forwarder in front of a real server that records each request it passes on: lets
 * a test see exactly what the BFF sent to Example Social (its bearer token, its appsecret_proof).
 * WebSocket handshakes are recorded and accepted here (Example Social has none), then closed.
 */
export async function startRecordingProxy(
  target: string,
): Promise<{ url: string; seen: ForwardedRequest[]; stop(): Promise<void> }> {
  const seen: ForwardedRequest[] = [];
  const to = new URL(target);
  const server: Server = createServer((request, response) => {
    seen.push({ method: request.method as string, url: request.url as string, headers: request.headers });
    const onward = httpRequest(
      {
        host: to.hostname,
        port: to.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: to.host },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    onward.on('error', () => {
      response.writeHead(502);
      response.end();
    });
    request.pipe(onward);
  });
  server.on('upgrade', (request, socket) => {
    seen.push({ method: request.method as string, url: request.url as string, headers: request.headers });
    const accept = createHash('sha1')
      .update(`${request.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64');
    socket.end(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
