import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A real HTTP API on loopback that records what reached it: the BFF's proxy target in tests.
 * `/slow` answers after 3 s; `/set-cookie` tries to set a cookie on the BFF's origin.
 */
export async function startUpstreamApi(): Promise<{ url: string; seen: SeenRequest[]; stop(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const record = {
        method: request.method as string,
        url: request.url as string,
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(record);
      const send = () => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (request.url === '/set-cookie') headers['set-cookie'] = 'planted=1; Path=/';
        response.writeHead(request.url === '/forbidden' ? 403 : 200, headers);
        response.end(JSON.stringify({ method: record.method, url: record.url }));
      };
      if (request.url === '/slow') setTimeout(send, 3_000);
      else send();
    });
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
