import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { FastifyInstance } from 'fastify';

/**
 * How a request reaches a server: one request, one answer, redirects never followed (the answer is
 * what `fetch` gives with `redirect: 'manual'`). The headers go out exactly as the request has them.
 */
export type Transport = (request: Request) => Promise<Response>;

/**
 * Over real HTTP (`node:http`, a new connection per request). Not Node's `fetch`, which rewrites
 * `Sec-Fetch-Mode` to `cors` whatever it is told and adds headers of its own.
 */
export const httpTransport: Transport = async (request) => {
  const url = new URL(request.url);
  const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) headers[name] = value;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = send(url, { method: request.method, headers, agent: false }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', reject);
      incoming.on('end', () => resolve(responseOf(incoming, request.method, Buffer.concat(chunks))));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
};

/**
 * Into a Fastify app with `inject()`: no socket, no port. The request comes from `remoteAddress`
 * (default `127.0.0.1`, as over loopback) with the `Host` of its URL.
 */
export function injectTransport(app: FastifyInstance, options: { remoteAddress?: string } = {}): Transport {
  return async (request) => {
    const url = new URL(request.url);
    const headers: Record<string, string> = { host: url.host };
    for (const [name, value] of request.headers) headers[name] = value;
    const answer = await app.inject({
      method: request.method as 'GET',
      url: `${url.pathname}${url.search}`,
      headers,
      ...(request.body ? { payload: Buffer.from(await request.arrayBuffer()) } : {}),
      remoteAddress: options.remoteAddress ?? '127.0.0.1',
    });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) responseHeaders.append(name, String(one));
    }
    const status = answer.statusCode;
    const body = status === 204 || status === 304 || request.method === 'HEAD' ? null : answer.rawPayload;
    return new Response(body, { status, statusText: answer.statusMessage, headers: responseHeaders });
  };
}

/** Requests for each origin of `routes` go to its transport; any other origin to `otherwise` (real HTTP). */
export function transportByOrigin(
  routes: Readonly<Record<string, Transport>>,
  otherwise: Transport = httpTransport,
): Transport {
  const byOrigin = new Map(Object.entries(routes).map(([origin, transport]) => [new URL(origin).origin, transport]));
  return (request) => (byOrigin.get(new URL(request.url).origin) ?? otherwise)(request);
}

// What Node's fetch sends unless told otherwise (undici), so a request through `fetchOver` looks the same.
const nodeFetchHeaders: readonly (readonly [string, string])[] = [
  ['accept', '*/*'],
  ['accept-language', '*'],
  ['sec-fetch-mode', 'cors'],
  ['user-agent', 'node'],
];

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/**
 * A `fetch` over a transport, answering as Node's own does: its default headers, redirects followed
 * (up to 20) unless `redirect` is `manual`, `authorization` dropped when a redirect leaves the origin.
 * A header the caller gives is sent as given (Node's fetch would turn `Sec-Fetch-Mode` into `cors`).
 */
export function fetchOver(transport: Transport): typeof fetch {
  return async (input, init) => {
    const first = new Request(input, init);
    const mode = init?.redirect ?? (input instanceof Request ? input.redirect : 'follow');
    const headers = new Headers(first.headers);
    for (const [name, value] of nodeFetchHeaders) if (!headers.has(name)) headers.set(name, value);
    let method = first.method;
    let body = first.body ? await first.arrayBuffer() : undefined;
    let url = new URL(first.url);
    for (let hops = 0; ; hops += 1) {
      const response = await transport(new Request(url, { method, headers, ...(body ? { body } : {}) }));
      const location = response.headers.get('location');
      if (!redirectStatuses.has(response.status) || location === null || mode === 'manual') {
        return withUrl(response, url, hops > 0);
      }
      if (mode === 'error') throw new TypeError(`fetch failed: redirected from ${url.href}`);
      if (hops === 20) throw new TypeError('fetch failed: too many redirects');
      const next = new URL(location, url);
      if (next.origin !== url.origin) headers.delete('authorization');
      if (response.status === 303 ? method !== 'HEAD' : method === 'POST' && response.status < 307) {
        method = 'GET';
        body = undefined;
        for (const name of ['content-type', 'content-length', 'content-encoding', 'content-language'])
          headers.delete(name);
      }
      await response.arrayBuffer();
      url = next;
    }
  };
}

/** `response.url` and `response.redirected` as fetch sets them (a constructed Response has neither). */
function withUrl(response: Response, url: URL, redirected: boolean): Response {
  Object.defineProperty(response, 'url', { value: url.href });
  Object.defineProperty(response, 'redirected', { value: redirected });
  return response;
}

function responseOf(incoming: IncomingMessage, method: string, payload: Buffer): Response {
  const headers = new Headers();
  for (let i = 0; i < incoming.rawHeaders.length; i += 2) {
    headers.append(incoming.rawHeaders[i] as string, incoming.rawHeaders[i + 1] as string);
  }
  const status = incoming.statusCode as number;
  const body = status === 204 || status === 304 || method === 'HEAD' ? null : payload;
  return new Response(body, { status, statusText: incoming.statusMessage ?? '', headers });
}
