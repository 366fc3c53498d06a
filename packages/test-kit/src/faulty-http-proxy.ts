import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';

/**
 * What the proxy does to one request:
 * - `stall`: passes it on, then holds the answer `ms` before delivering it (a slow provider);
 * - `cut`: passes it on (the server acts: rotates a token, say), then drops the connection without
 *   answering — an answer lost on the way back;
 * - `reset`: drops the connection before passing anything on;
 * - `status`: answers `status` itself with a JSON error body, passing nothing on.
 */
export type HttpFault =
  | { kind: 'stall'; ms: number }
  | { kind: 'cut' }
  | { kind: 'reset' }
  | { kind: 'status'; status: number };

/**
 * An HTTP proxy on loopback in front of a real server, with faults a test schedules per path: the
 * stand-in for a provider that stalls, loses answers, refuses connections or fails. Give the real
 * server the proxy's URL as its public one (an issuer, say) so that everything its clients learn
 * from it leads through the proxy.
 *
 * @example
 * const proxy = await startFaultyHttpProxy(realPort);
 * proxy.failNext('/token', { kind: 'cut' });
 */
export async function startFaultyHttpProxy(targetPort: number, port = 0) {
  const scheduled = new Map<string, HttpFault[]>();
  const forwarded = new Map<string, number>();
  const sockets = new Set<Socket>();
  let refusing = false;

  const handle = (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const path = new URL(incoming.url ?? '/', 'http://proxy').pathname;
    const fault = scheduled.get(path)?.shift();
    if (fault?.kind === 'reset') {
      incoming.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      incoming.resume();
      outgoing.writeHead(fault.status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      outgoing.end(JSON.stringify({ error: fault.status >= 500 ? 'server_error' : 'invalid_request' }));
      return;
    }
    forwarded.set(path, (forwarded.get(path) ?? 0) + 1);
    const upstream = httpRequest(
      { host: '127.0.0.1', port: targetPort, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const deliver = () => {
            if (fault?.kind === 'cut') {
              incoming.socket.destroy();
              return;
            }
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            outgoing.end(Buffer.concat(chunks));
          };
          if (fault?.kind === 'stall') setTimeout(deliver, fault.ms);
          else deliver();
        });
      },
    );
    upstream.on('error', () => incoming.socket.destroy());
    incoming.pipe(upstream);
  };

  let server: Server = await listen(port);
  const boundPort = (server.address() as { port: number }).port;

  function listen(at: number): Promise<Server> {
    const created = createServer(handle);
    created.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    return new Promise((resolve, reject) => {
      created.once('error', reject);
      created.listen(at, '127.0.0.1', () => resolve(created));
    });
  }

  async function closeServer(): Promise<void> {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  return {
    port: boundPort,
    url: `http://127.0.0.1:${boundPort}`,
    /** Applies `fault` to the next `times` requests for `path` (query ignored). */
    failNext(path: string, fault: HttpFault, times = 1): void {
      const queue = scheduled.get(path) ?? [];
      for (let i = 0; i < times; i += 1) queue.push(fault);
      scheduled.set(path, queue);
    },
    /** Forgets faults not yet applied. */
    clearFaults(): void {
      scheduled.clear();
    },
    /** How many requests for `path` reached the real server. */
    forwarded(path: string): number {
      return forwarded.get(path) ?? 0;
    },
    /** Closes the port: connections are refused, open ones dropped, until {@link accept}. */
    async refuse(): Promise<void> {
      if (refusing) return;
      refusing = true;
      await closeServer();
    },
    async accept(): Promise<void> {
      if (!refusing) return;
      server = await listen(boundPort);
      refusing = false;
    },
    async close(): Promise<void> {
      if (!refusing) await closeServer();
    },
  };
}

export type FaultyHttpProxy = Awaited<ReturnType<typeof startFaultyHttpProxy>>;
