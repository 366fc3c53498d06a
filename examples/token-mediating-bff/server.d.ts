/** What `start()` returns: enough to open the app, sign in, and check what the page was given. */
export interface RunningExample {
  /** The page to open, served by the BFF. */
  url: string;
  /** The Gatehouse authorization server. */
  issuer: string;
  /** The demo API: proxied at /api, and called directly by the page. */
  apiOrigin: string;
  /** The seeded user. */
  email: string;
  password: string;
  /** Seconds: the most a token from /bff/token lives. */
  accessTokenTtlSeconds: number;
  stop(): Promise<void>;
}

/** Starts configuration 5 on loopback. Default ports 4030 (BFF and page), 4031 (provider), 4032 (API). */
export function start(ports?: { port?: number; asPort?: number; apiPort?: number }): Promise<RunningExample>;
