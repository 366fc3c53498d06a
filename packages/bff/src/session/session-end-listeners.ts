/** Told the store key (a hash of the id, never the id) of a session this instance ended. */
export type SessionEndListener = (sessionKey: string) => void;

/**
 * Who must hear that this instance ended a session — logout, back-channel logout, a refused refresh,
 * tokens that no longer open — to drop what the process keeps per session (upstream tokens kept for it, say).
 * Called in the order they were added, synchronously, after the record is gone.
 */
export class SessionEndListeners {
  readonly #listeners: SessionEndListener[] = [];

  add(listener: SessionEndListener): void {
    this.#listeners.push(listener);
  }

  notify(sessionKey: string): void {
    for (const listener of this.#listeners) listener(sessionKey);
  }
}
