import type { Store } from '@gatehouse/store';

/** The store's change notifications, where its backend has them. */
type Notifications = Store['notifications'];

/** The channel on which instances announce a changed or ended session (by its store key). */
const changesChannel = 'bff-session-changes';
/** The message that drops every cached session. */
export const everySession = '*';
/** Copies kept at most; beyond it the oldest goes, so a flood of sessions cannot grow the process. */
const maxCopies = 10_000;

/** How long a read may be reused, in milliseconds (see {@link SessionLimits} for each). */
export interface SessionCacheLimits {
  cacheMs?: number;
  sharedCacheMs?: number;
}

/**
 * This process's copies of sessions it read, by store key. While the store's change notifications
 * flow (after {@link listen}), a copy lives `sharedCacheMs`, because every change or end of the
 * session on any instance is announced and drops it at once; otherwise it lives `cacheMs`, and a
 * change elsewhere is seen only when it lapses. An epoch counts drops, so a read that raced with
 * one is not kept: what it read may be older than the change announced meanwhile.
 */
export class SessionCache<T> {
  readonly #notifications: Notifications;
  readonly #limits: SessionCacheLimits;
  readonly #copies = new Map<string, { value: T; readAt: number }>();
  /** Whether this instance hears other instances' changes. */
  #listening = false;
  #unsubscribe: (() => Promise<void>) | undefined;
  #epoch = 0;

  constructor(notifications: Notifications, limits: SessionCacheLimits) {
    this.#notifications = notifications;
    this.#limits = limits;
  }

  /**
   * Subscribes to other instances' changes, when the store can deliver them and `sharedCacheMs` is
   * on; until then (and whenever delivery is interrupted) only `cacheMs` applies.
   */
  async listen(): Promise<void> {
    if (!this.#notifications || !this.#limits.sharedCacheMs) return;
    this.#unsubscribe = await this.#notifications.subscribe(
      changesChannel,
      (key) => {
        this.#epoch += 1;
        if (key === everySession) this.#copies.clear();
        else this.#copies.delete(key);
      },
      // Messages may have been missed: nothing kept can be trusted.
      () => {
        this.#epoch += 1;
        this.#copies.clear();
      },
    );
    this.#listening = true;
  }

  async stop(): Promise<void> {
    this.#listening = false;
    await this.#unsubscribe?.().catch(() => undefined);
  }

  /**
   * The copy of `key` if it was read within the reuse window and `isUsable` still accepts it, else
   * what `load` answers now (kept for next time unless a change was announced meanwhile).
   */
  async read(
    key: string,
    now: number,
    isUsable: (value: T) => boolean,
    load: () => Promise<T | undefined>,
  ): Promise<T | undefined> {
    const reuseMs = this.#reuseMs();
    if (reuseMs <= 0) return load();
    const hit = this.#copies.get(key);
    if (hit && now - hit.readAt < reuseMs && isUsable(hit.value)) return hit.value;
    const epoch = this.#epoch;
    const loaded = await load();
    this.#copies.delete(key);
    if (loaded !== undefined && epoch === this.#epoch) {
      if (this.#copies.size >= maxCopies) this.#copies.delete(this.#copies.keys().next().value as string);
      this.#copies.set(key, { value: loaded, readAt: now });
    }
    return loaded;
  }

  /** Drops this process's copy of `key`. */
  forget(key: string): void {
    this.#copies.delete(key);
  }

  /**
   * Drops this process's copy of `key` and, while listening, tells the other instances to drop
   * theirs ({@link everySession}: all of them). Delivery is best effort: an instance that misses it
   * was interrupted, and an interruption drops everything.
   */
  async announce(key: string): Promise<void> {
    this.#copies.delete(key);
    if (!this.#listening) return;
    this.#epoch += 1;
    await this.#notifications?.publish(changesChannel, key).catch(() => undefined);
  }

  #reuseMs(): number {
    const shared = this.#listening && this.#notifications?.connected === true;
    return shared ? (this.#limits.sharedCacheMs ?? 0) : (this.#limits.cacheMs ?? 0);
  }
}
