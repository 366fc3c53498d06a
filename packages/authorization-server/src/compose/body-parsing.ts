import type { FastifyInstance } from 'fastify';

/**
 * Form bodies and anything else arrive as strings, whatever their content type; endpoints parse them
 * strictly (see `Params`), so no parser of Fastify's decides what a body means.
 */
export function parseBodiesAsStrings(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
}
