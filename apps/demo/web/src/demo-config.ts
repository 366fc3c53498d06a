/** Where the demo's parts live, read at start from `/demo-config.json` (written by `gatehouse dev`). */
export interface DemoConfig {
  /** The authorization server's issuer URL, exactly as its discovery document names it. */
  issuer: string;
  /** The demo API's base URL (no trailing slash), called directly by the public client. */
  apiUrl: string;
  /** The public client's `client_id` at the authorization server. */
  publicClientId: string;
  /** The same API under another origin: the public client must not send its token there. */
  foreignUrl: string;
}

/** The ports `gatehouse dev` uses by default; kept when the runtime file is missing (`vite dev`). */
export const defaultDemoConfig: Readonly<DemoConfig> = Object.freeze({
  issuer: 'http://localhost:4000',
  apiUrl: 'http://localhost:5000',
  publicClientId: 'demo-spa',
  foreignUrl: 'http://127.0.0.1:5000',
});

/** Only as much of `fetch` as loading the file needs, so tests pass a plain function. */
export type ConfigFetch = (
  url: string,
  init: { cache: 'no-store'; headers: Record<string, string> },
) => Promise<{ ok: boolean; json(): Promise<unknown> }>;

const httpUrl = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/;

/**
 * Reads the file's content field by field: a missing or malformed field keeps its default, so a
 * half-written file never leaves the app without a provider or an API.
 */
export function readDemoConfig(value: unknown): DemoConfig {
  const input = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  const url = (field: 'issuer' | 'apiUrl' | 'foreignUrl'): string => {
    const given = input[field];
    return typeof given === 'string' && httpUrl.test(given) ? given : defaultDemoConfig[field];
  };
  const clientId = input.publicClientId;
  return {
    // Not normalised: discovery compares the issuer character for character.
    issuer: url('issuer'),
    apiUrl: url('apiUrl').replace(/\/+$/, ''),
    publicClientId:
      typeof clientId === 'string' && clientId.trim() !== '' ? clientId : defaultDemoConfig.publicClientId,
    foreignUrl: url('foreignUrl').replace(/\/+$/, ''),
  };
}

/** Fetches `/demo-config.json` from this origin; any failure (no file under `vite dev`) gives the defaults. */
export async function loadDemoConfig(fetchConfig: ConfigFetch, url = '/demo-config.json'): Promise<DemoConfig> {
  try {
    const response = await fetchConfig(url, { cache: 'no-store', headers: { accept: 'application/json' } });
    return readDemoConfig(response.ok ? await response.json() : undefined);
  } catch {
    return readDemoConfig(undefined);
  }
}
