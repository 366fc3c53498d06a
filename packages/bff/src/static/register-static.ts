import { basename, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BffContext } from '../context.js';

/**
 * Serves the SPA's built files from `config.static`, and its `index.html` for any other page
 * navigation (so client-side routes such as `/todos` load the app). Never for the BFF's own paths or
 * proxied routes, and never for requests that are not page navigations: those keep their JSON 404.
 */
export async function registerStatic(
  app: FastifyInstance,
  context: BffContext,
): Promise<(request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined> {
  const folder = context.config.static;
  if (!folder) return () => undefined;
  const frameablePages = new Set(context.config.frameablePages);
  await app.register(fastifyStatic, {
    root: resolve(folder),
    wildcard: true,
    index: ['index.html'],
    dotfiles: 'deny',
    cacheControl: false,
    // Vite's hashed `assets/` may be cached for good; everything else is revalidated, or a new
    // deployment is never picked up.
    setHeaders: (response, path) => {
      response.setHeader('x-content-type-options', 'nosniff');
      const hashedAsset = /[\\/]assets[\\/]/.test(path);
      response.setHeader('cache-control', hashedAsset ? 'public, max-age=31536000, immutable' : 'no-cache');
      if (path.endsWith('.html')) {
        // Only pages named in `frameablePages` (a silent sign-in callback) may be framed, by the app itself.
        const frameable = frameablePages.has(basename(path));
        response.setHeader('content-security-policy', `frame-ancestors ${frameable ? "'self'" : "'none'"}`);
      }
    },
  });
  const reserved = [context.config.prefix, ...context.config.routes.map((route) => route.path)];
  return (request, reply) => {
    const path = request.url.split('?', 1)[0] as string;
    const isPageNavigation =
      (request.method === 'GET' || request.method === 'HEAD') && (request.headers.accept ?? '').includes('text/html');
    if (!isPageNavigation || reserved.some((prefix) => path === prefix || path.startsWith(`${prefix}/`)))
      return undefined;
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  };
}
