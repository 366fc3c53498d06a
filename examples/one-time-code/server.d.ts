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
  /** The app's server, a confidential client: it issues the one-time codes. */
  client: { client_id: string; client_secret: string };
  /** The page's public client: it redeems them. */
  browserClientId: string;
  /** Seconds. */
  accessTokenTtlSeconds: number;
  /** Seconds. */
  longLivedTokenTtlSeconds: number;
  stop(): Promise<void>;
}

/** Starts configuration 3 on loopback. Default ports 4020 (app), 4021 (provider), 4022 (API). */
export function start(ports?: { port?: number; asPort?: number; apiPort?: number }): Promise<RunningExample>;
