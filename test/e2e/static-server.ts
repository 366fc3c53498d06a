import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** Serves files from `folders` (first match wins) plus fixed JSON documents, for the journey pages. */
export async function startStaticServer(folders: Record<string, string>, documents: Record<string, unknown>) {
  const server: Server = createServer(async (request, response) => {
    const path = normalize(new URL(request.url ?? '/', 'http://x').pathname);
    if (path in documents) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(documents[path]));
      return;
    }
    for (const [prefix, folder] of Object.entries(folders)) {
      if (!path.startsWith(prefix)) continue;
      try {
        const body = await readFile(join(folder, path.slice(prefix.length)));
        response.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' });
        response.end(body);
        return;
      } catch {
        // try the next folder
      }
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** An API that reports whether a bearer token arrived, with CORS for `allowedOrigin`. */
export async function startEchoApi(allowedOrigin: string) {
  const seen: Array<{ path: string; authorization: string | undefined }> = [];
  const server = createServer((request, response) => {
    const cors = {
      'access-control-allow-origin': allowedOrigin,
      'access-control-allow-headers': 'authorization',
      vary: 'Origin',
    };
    if (request.method === 'OPTIONS') {
      response.writeHead(204, cors).end();
      return;
    }
    seen.push({ path: request.url ?? '', authorization: request.headers.authorization });
    response.writeHead(200, { ...cors, 'content-type': 'application/json' });
    response.end(JSON.stringify({ bearer: /^Bearer \S+$/.test(request.headers.authorization ?? '') }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { port, seen, stop: () => new Promise<void>((r) => server.close(() => r())) };
}
