import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBff, loadBffConfig } from '@gatehouse/bff';
import { openMemoryStore, type Store } from '@gatehouse/store';
import { freePort, loginAtProvider, type ProviderPeer, startProviderPeer, TestBrowser } from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';

/**
 * The BFF as the attack suites meet it: oidc-provider as its provider, a real API behind it, and the
 * BFF itself, all on loopback. Every optional endpoint is on (token-mediating, offline access), and
 * the routes cover each token kind plus one that allows GET only.
 */
export interface BffUnderAttack {
  origin: string;
  port: number;
  api: RecordingApi;
  store: Store;
  /** A browser signed in as `sub` at the provider and then at the BFF. */
  signedIn(sub?: string): Promise<TestBrowser>;
  /** Starts one more BFF instance with the same configuration and store (as behind a load balancer); its port. */
  anotherInstance(): Promise<number>;
  close(): Promise<void>;
}

export async function startBffUnderAttack(overrides: Record<string, unknown> = {}): Promise<BffUnderAttack> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const peer: ProviderPeer = await startProviderPeer({ redirectUri: `${origin}/bff/callback` });
  const api = await startRecordingApi();
  const store = openMemoryStore();
  const config = loadBffConfig({
    publicUrl: origin,
    issuer: peer.issuer,
    clientId: peer.client.clientId,
    clientSecret: peer.client.clientSecret,
    scopes: ['openid', 'profile', 'offline_access'],
    tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
    store: 'memory',
    tokenMediating: { enabled: true },
    offlineAccess: { enabled: true },
    upstreamTimeoutMs: 5_000,
    routes: [
      { path: '/api', target: api.url, token: 'user' },
      { path: '/machine', target: `${api.url}/machine`, token: 'client' },
      { path: '/public', target: `${api.url}/public`, token: 'none' },
      { path: '/readonly', target: `${api.url}/readonly`, token: 'none', methods: ['GET'] },
    ],
    ...overrides,
  });
  const bff: FastifyInstance = await createBff(config, { store });
  // Connections from 127.0.0.2, 127.0.0.3 … reach it too: each is another source address.
  await bff.listen({ port, host: '127.0.0.1' });
  const others: FastifyInstance[] = [];

  return {
    origin,
    port,
    api,
    store,
    async signedIn(sub = 'alice') {
      const browser = new TestBrowser({ origin });
      const start = await browser.navigate('/bff/login');
      const callback = await loginAtProvider(start.headers.get('location') as string, sub);
      await browser.navigate(callback.href);
      if (browser.cookie('__Host-gh-session') === undefined) throw new Error('sign-in at the BFF failed');
      return browser;
    },
    async anotherInstance() {
      const other = await createBff(config, { store });
      others.push(other);
      await other.listen({ port: 0, host: '127.0.0.1' });
      return (other.server.address() as AddressInfo).port;
    },
    async close() {
      for (const other of others) await other.close();
      await bff.close();
      await api.stop();
      await peer.stop();
      await store.close();
    },
  };
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string | number>;
  /** Sent as one buffer (with Content-Length unless a header says otherwise) or chunk by chunk. */
  body?: Buffer | Buffer[];
  /** The loopback address the request comes from, e.g. `127.0.0.2`: a different source. */
  from?: string;
}

/**
 * One HTTP request whose path goes on the wire exactly as given: `fetch` and `URL` would normalise
 * `//x`, dot segments or a lone `%` before sending, and a probe must reach the server as the
 * attacker wrote it.
 */
export function rawRequest(port: number, path: string, options: RawRequest = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        ...(options.from ? { localAddress: options.from } : {}),
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode as number,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    const { body } = options;
    if (Array.isArray(body)) {
      for (const chunk of body) request.write(chunk);
      request.end();
    } else {
      request.end(body);
    }
  });
}

export interface SeenByApi {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Bytes of body that arrived, and whether the body arrived whole. */
  bodyBytes: number;
  complete: boolean;
}

export interface RecordingApi {
  url: string;
  seen: SeenByApi[];
  stop(): Promise<void>;
}

/**
 * The API behind the BFF. It records every request it gets (complete or not) and answers JSON; a
 * few paths behave like real servers under load: paths with `/upload-limit` refuse any body over 1 KB with
 * 413 as soon as it sees the headers, without reading the body, and paths with `/hop-by-hop` name response
 * headers in `Connection`, which make sense on that hop only.
 */
export async function startRecordingApi(): Promise<RecordingApi> {
  const seen: SeenByApi[] = [];
  const server: Server = createServer((request, response) => {
    const record: SeenByApi = {
      method: request.method as string,
      url: request.url as string,
      headers: request.headers,
      bodyBytes: 0,
      complete: false,
    };
    seen.push(record);
    const path = (request.url as string).split('?', 1)[0] as string;
    if (path.includes('/upload-limit') && Number(request.headers['content-length'] ?? 'Infinity') > 1024) {
      response.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
      response.end(JSON.stringify({ error: 'payload_too_large' }));
      return;
    }
    request.on('data', (chunk: Buffer) => {
      record.bodyBytes += chunk.length;
    });
    request.on('end', () => {
      record.complete = true;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (path.includes('/hop-by-hop')) {
        headers.connection = 'keep-alive, X-Upstream-Secret, x-upstream-route';
        headers['x-upstream-secret'] = 'for-the-bff-only';
        headers['x-upstream-route'] = 'internal-node-7';
        headers['x-kept'] = 'end-to-end';
      }
      response.writeHead(200, headers);
      response.end(JSON.stringify({ method: record.method, url: record.url, bodyBytes: record.bodyBytes }));
    });
    request.on('error', () => undefined);
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
