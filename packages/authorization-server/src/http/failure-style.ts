/**
 * How a route's failures are answered: `json`, an OAuth error body (RFC 6749 §5.2), for the
 * endpoints clients call; `page`, an HTML error page, for what a person's browser shows.
 */
export type FailureStyle = 'json' | 'page';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Declared with the route (`config: { failure: 'json' }`) and read from the route the router
     * matched, so every spelling of the path (`/%74oken`) gets it. Default `page`.
     */
    failure?: FailureStyle;
  }
}
