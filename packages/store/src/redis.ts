import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { EntryKey, RawEntry, RawWrite, StoreBackend } from './backend.js';
import { createStore, type StoreLimits } from './create-store.js';
import { StoreError, StoreUnavailableError } from './errors.js';
import { redisNotifications } from './notifications.js';
import { checkSchemaVersion, type SchemaOptions } from './schema-version.js';
import type { Store } from './store.js';

export interface RedisStoreOptions extends StoreLimits, SchemaOptions {
  /** Prepended to every key, so several deployments or test runs share one server. Default `gatehouse:`. */
  keyPrefix?: string;
  /** Treat the URL as one seed node of a Redis Cluster. Default false. */
  cluster?: boolean;
  /** Longest wait for a connection, in milliseconds. Default 3 000. */
  connectTimeoutMs?: number;
  /** Longest wait for a command's answer, in milliseconds. Default 3 000. */
  commandTimeoutMs?: number;
}

const keyPrefixPattern = /^[A-Za-z0-9:_.-]{0,64}$/;

/**
 * The key layout's version, recorded at `<prefix>schema-version`. Redis has no tables to migrate;
 * the record only lets an older Gatehouse refuse a layout a newer one wrote. An absent record is a
 * fresh (or flushed, or restarted without persistence) Redis, never refused.
 */
const redisSchemaVersion = 1;

/*
 * Layout. Each entry is one hash (`v` value, `ver` version, `i` JSON index list) at
 * `<prefix>e:{<namespace>:<id>}`; the braces make the entry its own hash tag, so every script below
 * touches exactly one key and runs unchanged on Redis Cluster. An index is a set of entry addresses
 * at `<prefix>i:{<index>}`, kept at least as long-lived as its longest-lived member and written
 * before the entry; members whose entry is gone or no longer carries the index are skipped when read
 * (an entry's own `i` field is the truth), and members deleted through the index are removed from it. Locks are strings, counters integers; expiry is Redis's own.
 */
const scripts = {
  // KEYS[1] entry; → {value, version, pttl} or nil
  ghGet: {
    numberOfKeys: 1,
    lua: `local e = redis.call('HMGET', KEYS[1], 'v', 'ver')
          if not e[1] then return nil end
          return {e[1], e[2], redis.call('PTTL', KEYS[1])}`,
  },
  // KEYS[1] entry; ARGV value, ttlMs (0 = none), indexes JSON, initial version, mode ('put'|'absent'|expected version)
  ghWrite: {
    numberOfKeys: 1,
    lua: `local current = redis.call('HGET', KEYS[1], 'ver')
          local mode = ARGV[5]
          if mode == 'absent' and current then return nil end
          if mode ~= 'put' and mode ~= 'absent' and current ~= mode then return nil end
          local version = current and (tonumber(current) + 1) or tonumber(ARGV[4])
          redis.call('HSET', KEYS[1], 'v', ARGV[1], 'ver', version, 'i', ARGV[3])
          if ARGV[2] == '0' then redis.call('PERSIST', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
          return version`,
  },
  // KEYS[1] entry; → value or nil, deleting it
  ghTake: {
    numberOfKeys: 1,
    lua: `local v = redis.call('HGET', KEYS[1], 'v')
          if v then redis.call('DEL', KEYS[1]) end
          return v`,
  },
  // KEYS[1] index set; ARGV member, ttlMs (0 = none)
  ghIndexAdd: {
    numberOfKeys: 1,
    lua: `local ttl = redis.call('PTTL', KEYS[1])
          redis.call('SADD', KEYS[1], ARGV[1])
          if ARGV[2] == '0' then
            if ttl >= 0 then redis.call('PERSIST', KEYS[1]) end
          elseif ttl == -2 or (ttl >= 0 and ttl < tonumber(ARGV[2])) then
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
          end
          return 1`,
  },
  // KEYS[1] entry; ARGV index, delete (1|0) → {value, version, pttl} if the entry carries the index
  ghIndexed: {
    numberOfKeys: 1,
    lua: `local e = redis.call('HMGET', KEYS[1], 'v', 'ver', 'i')
          if not e[1] then return nil end
          local carries = false
          for _, index in ipairs(cjson.decode(e[3])) do if index == ARGV[1] then carries = true end end
          if not carries then return nil end
          local ttl = redis.call('PTTL', KEYS[1])
          if ARGV[2] == '1' then redis.call('DEL', KEYS[1]) end
          return {e[1], e[2], ttl}`,
  },
  // KEYS[1] lock; ARGV owner → 1 if released
  ghUnlock: {
    numberOfKeys: 1,
    lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
          return 0`,
  },
  // KEYS[1] schema version; ARGV version to record when absent ('' records nothing) → version found, 0 if none
  ghSchema: {
    numberOfKeys: 1,
    lua: `local found = redis.call('GET', KEYS[1])
          if found then return tonumber(found) end
          if ARGV[1] ~= '' then redis.call('SET', KEYS[1], ARGV[1]) end
          return 0`,
  },
  // KEYS[1] counter; ARGV windowMs → {count, pttl}
  ghIncrement: {
    numberOfKeys: 1,
    lua: `local count = redis.call('INCR', KEYS[1])
          local ttl = redis.call('PTTL', KEYS[1])
          if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
          return {count, ttl}`,
  },
} as const;

type ScriptName = keyof typeof scripts;
type ScriptRunner = Record<ScriptName, (key: string, ...args: Array<string | number>) => Promise<unknown>>;
type RedisClient = (Redis | Cluster) & ScriptRunner;

/**
 * A store in Redis (single node or Cluster): the scale-out home for sessions, codes, locks and rate
 * limits. Connection loss raises {@link StoreUnavailableError} at once (commands are not queued
 * while disconnected) and the client reconnects in the background.
 */
export async function openRedisStore(url: string, options: RedisStoreOptions = {}): Promise<Store> {
  const keyPrefix = options.keyPrefix ?? 'gatehouse:';
  if (!keyPrefixPattern.test(keyPrefix)) throw new TypeError('keyPrefix must match /^[A-Za-z0-9:_.-]{0,64}$/');
  const mode = options.migrate ?? 'auto';
  if (mode !== 'auto' && mode !== 'check') throw new TypeError("migrate must be 'auto' or 'check'");
  const clientOptions: RedisOptions = {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 3_000,
    commandTimeout: options.commandTimeoutMs ?? 3_000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  };
  let client: Redis | Cluster;
  if (options.cluster) {
    const seed = new URL(url);
    client = new Cluster([{ host: seed.hostname, port: Number(seed.port || 6379) }], {
      lazyConnect: true,
      enableOfflineQueue: false,
      clusterRetryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
      redisOptions: { ...clientOptions, password: decodeURIComponent(seed.password) || undefined },
    });
  } else {
    client = new Redis(url, clientOptions);
  }
  // Errors surface on the failing command; the event only reports, and must not crash the process.
  client.on('error', () => undefined);
  for (const [name, script] of Object.entries(scripts)) {
    client.defineCommand(name, { numberOfKeys: script.numberOfKeys, lua: script.lua });
  }
  try {
    await withTimeout(client.connect(), (options.connectTimeoutMs ?? 3_000) + 500);
  } catch (error) {
    client.disconnect();
    throw new StoreUnavailableError('Redis is unavailable', { cause: error });
  }
  try {
    const record = mode === 'auto' ? String(redisSchemaVersion) : '';
    const found = Number(await (client as RedisClient).ghSchema(`${keyPrefix}schema-version`, record));
    if (found !== 0) checkSchemaVersion(found, redisSchemaVersion, mode);
    options.onSchema?.({ backend: 'redis', from: found, to: found === 0 && mode === 'check' ? 0 : redisSchemaVersion });
  } catch (error) {
    client.disconnect();
    throw toStoreError(error);
  }
  return createStore(new RedisBackend(client as RedisClient, keyPrefix), options);
}

class RedisBackend implements StoreBackend {
  readonly kind = 'redis';
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly notifications: ReturnType<typeof redisNotifications>;

  constructor(client: RedisClient, prefix: string) {
    this.#client = client;
    this.#prefix = prefix;
    this.notifications = redisNotifications(
      client as unknown as Parameters<typeof redisNotifications>[0],
      `${prefix}n:`,
    );
  }

  async get(key: EntryKey): Promise<RawEntry | undefined> {
    const reply = (await this.#call(() => this.#client.ghGet(this.#entryKey(key)))) as EntryReply | null;
    return reply ? toRawEntry(reply) : undefined;
  }

  async put(key: EntryKey, write: RawWrite): Promise<number> {
    return (await this.#write(key, write, 'put')) as number;
  }

  async putIfAbsent(key: EntryKey, write: RawWrite): Promise<number | undefined> {
    return this.#write(key, write, 'absent');
  }

  async compareAndSet(key: EntryKey, expectedVersion: number, write: RawWrite): Promise<number | undefined> {
    return this.#write(key, write, String(expectedVersion));
  }

  async take(key: EntryKey): Promise<string | undefined> {
    const value = await this.#call(() => this.#client.ghTake(this.#entryKey(key)));
    return typeof value === 'string' ? value : undefined;
  }

  async delete(key: EntryKey): Promise<boolean> {
    return (await this.#call(() => this.#client.del(this.#entryKey(key)))) === 1;
  }

  async findByIndex(index: string): Promise<Array<EntryKey & RawEntry>> {
    return (await this.#visitIndex(index, false)).found;
  }

  async deleteByIndex(index: string): Promise<number> {
    const { found, visited } = await this.#visitIndex(index, true);
    if (visited.length > 0) await this.#call(() => this.#client.srem(this.#indexKey(index), ...visited));
    return found.length;
  }

  async acquireLock(name: string, owner: string, ttlMs: number): Promise<number | undefined> {
    const started = Date.now();
    const reply = await this.#call(() => this.#client.set(this.#lockKey(name), owner, 'PX', ttlMs, 'NX'));
    return reply === 'OK' ? started + ttlMs : undefined;
  }

  async releaseLock(name: string, owner: string): Promise<boolean> {
    return (await this.#call(() => this.#client.ghUnlock(this.#lockKey(name), owner))) === 1;
  }

  async increment(name: string, windowMs: number): Promise<{ count: number; resetAt: number }> {
    const [count, ttl] = (await this.#call(() => this.#client.ghIncrement(this.#counterKey(name), windowMs))) as [
      number,
      number,
    ];
    return { count, resetAt: Date.now() + ttl };
  }

  async sweepExpired(): Promise<number> {
    return 0; // Redis reclaims expired keys itself.
  }

  async countEntries(): Promise<number> {
    const nodes = this.#client instanceof Cluster ? this.#client.nodes('master') : [this.#client];
    let count = 0;
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await this.#call(() => node.scan(cursor, 'MATCH', `${this.#prefix}e:*`, 'COUNT', 1000));
        cursor = next;
        count += keys.length;
      } while (cursor !== '0');
    }
    return count;
  }

  async ping(): Promise<void> {
    // Every primary of a Cluster: any of them down fails the calls whose keys it holds.
    const nodes = this.#client instanceof Cluster ? this.#client.nodes('master') : [this.#client];
    if (nodes.length === 0) throw new StoreUnavailableError('Redis Cluster has no reachable primary');
    await Promise.all(nodes.map((node) => this.#call(() => node.ping())));
  }

  async close(): Promise<void> {
    this.notifications.close();
    await this.#client.quit().catch(() => this.#client.disconnect());
  }

  async #write(key: EntryKey, write: RawWrite, mode: string): Promise<number | undefined> {
    const entryKey = this.#entryKey(key);
    // Index sets first, entry second: a failure in between leaves only a stale member, which readers
    // skip, never an entry that its index cannot find. (A compare-and-set that then loses also
    // leaves only a stale member.)
    const member = JSON.stringify([key.namespace, key.id]);
    await Promise.all(
      write.indexes.map((index) =>
        this.#call(() => this.#client.ghIndexAdd(this.#indexKey(index), member, write.ttlMs ?? 0)),
      ),
    );
    const version = await this.#call(() =>
      this.#client.ghWrite(
        entryKey,
        write.value,
        write.ttlMs ?? 0,
        JSON.stringify(write.indexes),
        write.initialVersion,
        mode,
      ),
    );
    return version === null || version === undefined ? undefined : Number(version);
  }

  async #visitIndex(index: string, remove: boolean) {
    const members = await this.#call(() => this.#client.smembers(this.#indexKey(index)));
    const found: Array<EntryKey & RawEntry> = [];
    const visited: string[] = [];
    await Promise.all(
      members.map(async (member) => {
        const key = parseMember(member);
        if (!key) return;
        const reply = (await this.#call(() =>
          this.#client.ghIndexed(this.#entryKey(key), index, remove ? '1' : '0'),
        )) as EntryReply | null;
        if (reply) {
          found.push({ ...key, ...toRawEntry(reply) });
          visited.push(member);
        }
      }),
    );
    return { found, visited };
  }

  async #call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw toStoreError(error);
    }
  }

  #entryKey(key: EntryKey): string {
    return `${this.#prefix}e:{${key.namespace}:${key.id}}`;
  }

  #indexKey(index: string): string {
    return `${this.#prefix}i:{${index}}`;
  }

  #lockKey(name: string): string {
    return `${this.#prefix}l:{${name}}`;
  }

  #counterKey(name: string): string {
    return `${this.#prefix}c:{${name}}`;
  }
}

type EntryReply = [string, string, number];

function toRawEntry([value, version, pttl]: EntryReply): RawEntry {
  return { value, version: Number(version), expiresAt: pttl >= 0 ? Date.now() + pttl : null };
}

function parseMember(member: string): EntryKey | undefined {
  try {
    const parsed = JSON.parse(member) as unknown;
    if (Array.isArray(parsed) && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      return { namespace: parsed[0], id: parsed[1] };
    }
  } catch {
    // Not ours; skip it.
  }
  return undefined;
}

const unavailableMessages =
  /timed? ?out|ECONNREFUSED|ECONNRESET|EPIPE|ENOTFOUND|EHOSTUNREACH|Connection is closed|isn't writeable|MaxRetriesPerRequest|LOADING|CLUSTERDOWN|TRYAGAIN|MASTERDOWN/i;

function toStoreError(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  if (unavailableMessages.test(text)) return new StoreUnavailableError('Redis is unavailable', { cause: error });
  return new StoreError('Redis operation failed', { cause: error });
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`connect timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
