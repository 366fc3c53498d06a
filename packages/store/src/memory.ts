import type { EntryKey, RawEntry, RawWrite, StoreBackend } from './backend.js';
import { createStore, type StoreLimits } from './create-store.js';
import { inProcessNotifications } from './notifications.js';
import type { Store } from './store.js';

export interface MemoryStoreOptions extends StoreLimits {
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
  /** How often expired entries are swept, in milliseconds. Default 60 000; 0 turns the timer off. */
  sweepIntervalMs?: number;
}

interface MemoryEntry extends RawEntry {
  indexes: readonly string[];
}

/**
 * A store in this process's memory: for tests and single-process development. Nothing survives a
 * restart, and two processes never share it.
 */
export function openMemoryStore(options: MemoryStoreOptions = {}): Store {
  return createStore(new MemoryBackend(options.now ?? Date.now, options.sweepIntervalMs ?? 60_000), options);
}

class MemoryBackend implements StoreBackend {
  readonly kind = 'memory';
  readonly notifications = inProcessNotifications();
  readonly #entries = new Map<string, MemoryEntry>();
  /** index key → entry map keys; kept exact on every write and delete. */
  readonly #indexes = new Map<string, Set<string>>();
  readonly #locks = new Map<string, { owner: string; expiresAt: number }>();
  readonly #counters = new Map<string, { count: number; resetAt: number }>();
  readonly #now: () => number;
  readonly #sweepTimer: NodeJS.Timeout | undefined;

  constructor(now: () => number, sweepIntervalMs: number) {
    this.#now = now;
    if (sweepIntervalMs > 0) {
      this.#sweepTimer = setInterval(() => void this.sweepExpired(), sweepIntervalMs);
      this.#sweepTimer.unref();
    }
  }

  async get(key: EntryKey): Promise<RawEntry | undefined> {
    const entry = this.#live(mapKey(key));
    return entry && { value: entry.value, version: entry.version, expiresAt: entry.expiresAt };
  }

  async put(key: EntryKey, write: RawWrite): Promise<number> {
    const k = mapKey(key);
    const current = this.#live(k);
    return this.#write(k, write, current ? current.version + 1 : write.initialVersion);
  }

  async putIfAbsent(key: EntryKey, write: RawWrite): Promise<number | undefined> {
    const k = mapKey(key);
    if (this.#live(k)) return undefined;
    return this.#write(k, write, write.initialVersion);
  }

  async compareAndSet(key: EntryKey, expectedVersion: number, write: RawWrite): Promise<number | undefined> {
    const k = mapKey(key);
    const current = this.#live(k);
    if (!current || current.version !== expectedVersion) return undefined;
    return this.#write(k, write, current.version + 1);
  }

  async take(key: EntryKey): Promise<string | undefined> {
    const k = mapKey(key);
    const entry = this.#live(k);
    if (entry) this.#remove(k);
    return entry?.value;
  }

  async delete(key: EntryKey): Promise<boolean> {
    const k = mapKey(key);
    const existed = this.#live(k) !== undefined;
    if (existed) this.#remove(k);
    return existed;
  }

  async findByIndex(index: string): Promise<Array<EntryKey & RawEntry>> {
    const found: Array<EntryKey & RawEntry> = [];
    for (const k of this.#indexes.get(index) ?? []) {
      const entry = this.#live(k);
      if (entry)
        found.push({ ...splitMapKey(k), value: entry.value, version: entry.version, expiresAt: entry.expiresAt });
    }
    return found;
  }

  async deleteByIndex(index: string): Promise<number> {
    let deleted = 0;
    for (const k of [...(this.#indexes.get(index) ?? [])]) {
      if (this.#live(k)) deleted += 1;
      this.#remove(k);
    }
    return deleted;
  }

  async acquireLock(name: string, owner: string, ttlMs: number): Promise<number | undefined> {
    const now = this.#now();
    const held = this.#locks.get(name);
    if (held && held.expiresAt > now) return undefined;
    const expiresAt = now + ttlMs;
    this.#locks.set(name, { owner, expiresAt });
    return expiresAt;
  }

  async releaseLock(name: string, owner: string): Promise<boolean> {
    const held = this.#locks.get(name);
    if (!held || held.owner !== owner || held.expiresAt <= this.#now()) return false;
    this.#locks.delete(name);
    return true;
  }

  async increment(name: string, windowMs: number): Promise<{ count: number; resetAt: number }> {
    const now = this.#now();
    const current = this.#counters.get(name);
    const next =
      current && current.resetAt > now
        ? { count: current.count + 1, resetAt: current.resetAt }
        : { count: 1, resetAt: now + windowMs };
    this.#counters.set(name, next);
    return { ...next };
  }

  async sweepExpired(): Promise<number> {
    const now = this.#now();
    let removed = 0;
    for (const [k, entry] of this.#entries) {
      if (isExpired(entry, now)) {
        this.#remove(k);
        removed += 1;
      }
    }
    for (const [name, lock] of this.#locks) {
      if (lock.expiresAt <= now) {
        this.#locks.delete(name);
        removed += 1;
      }
    }
    for (const [name, counter] of this.#counters) {
      if (counter.resetAt <= now) {
        this.#counters.delete(name);
        removed += 1;
      }
    }
    return removed;
  }

  async countEntries(): Promise<number> {
    return this.#entries.size;
  }

  async ping(): Promise<void> {
    // Nothing to reach: the entries are in this process.
  }

  async close(): Promise<void> {
    clearInterval(this.#sweepTimer);
    this.#entries.clear();
    this.#indexes.clear();
    this.#locks.clear();
    this.#counters.clear();
  }

  #live(k: string): MemoryEntry | undefined {
    const entry = this.#entries.get(k);
    if (entry && isExpired(entry, this.#now())) {
      this.#remove(k);
      return undefined;
    }
    return entry;
  }

  #write(k: string, write: RawWrite, version: number): number {
    this.#remove(k);
    const expiresAt = write.ttlMs === null ? null : this.#now() + write.ttlMs;
    this.#entries.set(k, { value: write.value, version, expiresAt, indexes: write.indexes });
    for (const index of write.indexes) {
      let members = this.#indexes.get(index);
      if (!members) {
        members = new Set();
        this.#indexes.set(index, members);
      }
      members.add(k);
    }
    return version;
  }

  #remove(k: string): void {
    const entry = this.#entries.get(k);
    if (!entry) return;
    this.#entries.delete(k);
    for (const index of entry.indexes) {
      const members = this.#indexes.get(index);
      members?.delete(k);
      if (members?.size === 0) this.#indexes.delete(index);
    }
  }
}

function isExpired(entry: RawEntry, now: number): boolean {
  return entry.expiresAt !== null && entry.expiresAt <= now;
}

// Namespaces cannot contain a NUL, so the first one separates namespace from id.
function mapKey(key: EntryKey): string {
  return `${key.namespace}\u0000${key.id}`;
}

function splitMapKey(k: string): EntryKey {
  const at = k.indexOf('\u0000');
  return { namespace: k.slice(0, at), id: k.slice(at + 1) };
}
