/** What `start()` returns: enough to open the app and sign in. */
export interface RunningExample {
  /** The app, built by Vite and served by the BFF. */
  url: string;
  /** The Gatehouse authorization server. */
  issuer: string;
  /** The demo API, reached through the BFF at /api. */
  apiOrigin: string;
  /** The seeded user. */
  email: string;
  password: string;
  stop(): Promise<void>;
}

/** Builds the app with Vite into `outDir`. */
export function buildApp(outDir: string): Promise<void>;

/** Builds the app and starts it on loopback. Default ports 4040 (BFF and app), 4041 (provider), 4042 (API). */
export function start(ports?: { port?: number; asPort?: number; apiPort?: number }): Promise<RunningExample>;
