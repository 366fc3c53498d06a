import { browserPage } from '../browser-page.js';

/** Any JSON-serialisable object the app wants back after a login redirect (unsaved form input, say). */
export type AppState = Record<string, unknown>;

const storagePrefix = 'gatehouse.state.';
/** The query parameter that carries the state id through the login round trip. */
export const stateParameter = 'gh-state';
const idPattern = /^[A-Za-z0-9_-]{22}$/;

/**
 * Saves `state` in sessionStorage under a new random id (128 bits) and returns the id. Only the id
 * travels through the redirect; the data never leaves this tab.
 */
export function saveAppState(state: AppState): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const id = btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  browserPage().sessionStorage.setItem(storagePrefix + id, JSON.stringify(state));
  return id;
}

/**
 * Returns the state saved under `id` and removes it, so it is handed back once. An unknown, replayed
 * or malformed id, or unreadable data, gives `undefined` — never an error.
 */
export function takeAppState(id: string | null | undefined): AppState | undefined {
  if (!id || !idPattern.test(id)) return undefined;
  const key = storagePrefix + id;
  const storage = browserPage().sessionStorage;
  const text = storage.getItem(key);
  storage.removeItem(key);
  if (text === null) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as AppState) : undefined;
  } catch {
    return undefined;
  }
}

const logoutKey = 'gatehouse.logout-state';

/**
 * Keeps `state` for the logged-out page: the provider's redirect back after sign-out carries nothing
 * of ours, so the state's id waits in this tab. Either client calls it before leaving for the provider.
 */
export function saveLogoutState(state: AppState): void {
  browserPage().sessionStorage.setItem(logoutKey, saveAppState(state));
}

/** On the logged-out page: the state given at sign-out, once; otherwise `undefined`. */
export function takeLogoutState(): AppState | undefined {
  const storage = browserPage().sessionStorage;
  const id = storage.getItem(logoutKey);
  storage.removeItem(logoutKey);
  return takeAppState(id);
}
