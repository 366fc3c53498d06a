/** What `start()` returns: enough to open the app, sign in, and check what the page was given. */
export interface RunningExample {
  /** The page to open. */
  url: string;
  /** The Gatehouse authorization server. */
  issuer: string;
  /** The demo API the page calls with the long-lived token. */
  apiOrigin: string;
  /** The seeded user. */
  email: string;
  password: string;
  /** The app's server, a confidential client (for introspection from a test). */
  client: { client_id: string; client_secret: string };
  /** Seconds. */
  accessTokenTtlSeconds: number;
  /** Seconds. */
  longLivedTokenTtlSeconds: number;
  stop(): Promise<void>;
}

/** Starts configuration 2 on loopback. Default ports 4010 (app), 4011 (provider), 4012 (API). */
export function start(ports?: { port?: number; asPort?: number; apiPort?: number }): Promise<RunningExample>;
