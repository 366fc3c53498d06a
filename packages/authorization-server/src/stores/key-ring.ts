import { type Store, waitForLock } from '@gatehouse/store';
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { randomToken } from '../primitives/random.js';
import type { Sealer } from '../primitives/sealing.js';
import { keyReloadSeconds } from '../protocol/key-publication.js';
import type { SigningAlg } from '../protocol/signing-algorithms.js';

/** A signing key as kept in the store: the private half sealed, the public half as published. */
interface StoredKey {
  [key: string]: string | number | null | JWK;
  kid: string;
  alg: SigningAlg;
  sealedPrivateJwk: string;
  publicJwk: JWK;
  /** Milliseconds since the epoch from which the key signs. */
  activatesAt: number;
  /** Milliseconds since the epoch after which the key is no longer published; null while current. */
  retiresAt: number | null;
}

type SigningKey = Awaited<ReturnType<typeof importJWK>>;

export interface ActiveKey {
  kid: string;
  alg: SigningAlg;
  key: SigningKey;
}

/** What a key ring tells its watchers, as this instance sees it happen. */
export type KeyRingChange =
  /** A key this instance had not seen is published (created here, or by another instance or the CLI). */
  | { kind: 'published'; kid: string; alg: SigningAlg; activatesAt: number }
  /** A key began to sign for its algorithm here, replacing the one that did. */
  | { kind: 'activated'; kid: string; alg: SigningAlg };

/** The ring as last loaded, for gauges: published keys, and each algorithm's active key. */
export interface KeyRingStatus {
  published: number;
  active: { alg: SigningAlg; kid: string; activatesAt: number }[];
}

const namespace = 'signing-keys';
/** Every key carries this index key, so one lookup lists them all. */
const indexKey = 'signing-keys';
/** How often an instance re-reads the key list even when no rotation was announced. */
const reloadMs = keyReloadSeconds * 1000;
/** The notification channel on which a rotation is announced to every instance. */
const rotationChannel = 'signing-keys';

/**
 * The provider's signing keys, shared by every instance through the store. Each algorithm in use has
 * one active key (the newest that has activated); newer keys are published before they sign, and
 * replaced keys stay published until every token they signed has expired.
 */
export class KeyRing {
  readonly #store: Store;
  readonly #sealer: Sealer;
  readonly #now: () => number;
  readonly #algs: readonly SigningAlg[];
  #keys: StoredKey[] = [];
  #loadedAt = Number.NEGATIVE_INFINITY;
  #loading: Promise<void> | undefined;
  readonly #imported = new Map<string, Promise<SigningKey>>();
  #jwks: { keys: JWK[] } = { keys: [] };
  #unfollow: (() => Promise<void>) | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  readonly #watchers: ((change: KeyRingChange) => void)[] = [];
  /** The kid that signed last per algorithm, to tell an activation. */
  readonly #signingKids = new Map<SigningAlg, string>();

  constructor(store: Store, sealer: Sealer, algs: readonly SigningAlg[], now: () => number) {
    this.#store = store;
    this.#sealer = sealer;
    this.#algs = [...new Set(algs)];
    this.#now = now;
  }

  /**
   * Loads the keys, creating a first key for each algorithm that has none — once across instances:
   * one instance creates them under a lock while the others wait and load what it created.
   */
  async initialize(): Promise<void> {
    await this.#reload();
    if (this.#missingAlgs().length === 0) return;
    const outcome = await waitForLock(this.#store, 'signing-keys-init', {
      ttlSeconds: 30,
      waitMs: 30_000,
      recheck: async () => {
        await this.#reload();
        return this.#missingAlgs().length === 0 ? true : undefined;
      },
    });
    if (outcome === undefined) throw new Error('signing keys: another instance holds the creation lock for too long');
    if ('rechecked' in outcome) return;
    try {
      await this.#reload();
      for (const alg of this.#missingAlgs()) await this.#create(alg, this.#now());
      await this.#reload();
    } finally {
      await outcome.release();
    }
  }

  #missingAlgs(): SigningAlg[] {
    return this.#algs.filter((alg) => !this.#keys.some((key) => key.alg === alg));
  }

  /**
   * Adds a new key per algorithm that signs from `now + activationDelaySeconds`; the keys it replaces
   * stay published for `retainSeconds` after that (the longest lifetime of anything they signed).
   */
  async rotate(activationDelaySeconds: number, retainSeconds: number): Promise<string[]> {
    await this.#reload();
    const activatesAt = this.#now() + activationDelaySeconds * 1000;
    const created: string[] = [];
    for (const alg of this.#algs) {
      for (const key of this.#keys.filter((candidate) => candidate.alg === alg && candidate.retiresAt === null)) {
        await this.#store.put(
          namespace,
          key.kid,
          { ...key, retiresAt: activatesAt + retainSeconds * 1000 },
          { indexes: [indexKey] },
        );
      }
      created.push(await this.#create(alg, activatesAt));
    }
    await this.#reload();
    // Every instance that follows reloads now. Announcing may fail (the store's notifications are
    // down); the keys are written, and each instance's poll sees them within keyReloadSeconds.
    await this.#store.notifications?.publish(rotationChannel, created.join(' ')).catch(() => undefined);
    return created;
  }

  /**
   * Reloads whenever a rotation is announced through the store's notifications, and whenever
   * delivery was interrupted (an announcement may have been lost then). Without notifications
   * (SQLite) the poll every `keyReloadSeconds` alone sees other instances' rotations.
   */
  async follow(): Promise<void> {
    if (!this.#store.notifications || this.#unfollow) return;
    const reload = () => this.#reloadAfterChange();
    this.#unfollow = await this.#store.notifications.subscribe(rotationChannel, reload, reload);
  }

  /** Stops following rotations; the ring still answers from what it loaded. */
  async close(): Promise<void> {
    const unfollow = this.#unfollow;
    this.#unfollow = undefined;
    clearTimeout(this.#retryTimer);
    await unfollow?.().catch(() => undefined);
  }

  #reloadAfterChange(attempt = 0): void {
    clearTimeout(this.#retryTimer);
    // A load under way may have read the list before the change: load again once it is done.
    const loading = this.#loading ?? Promise.resolve();
    loading
      .catch(() => undefined)
      .then(() => this.#reload())
      .catch(() => {
        // The store is not back yet (the notification connection often returns before the one
        // that reads): try again every 250 ms while following, until the poll takes over.
        if (!this.#unfollow || attempt + 1 >= keyReloadSeconds * 4) return;
        this.#retryTimer = setTimeout(() => this.#reloadAfterChange(attempt + 1), 250);
        this.#retryTimer.unref();
      });
  }

  /**
   * Tells `watcher` of each key this instance sees published after its first load, and of each key
   * that begins to sign here (seen when it first signs). Each instance tells its own watchers.
   */
  watch(watcher: (change: KeyRingChange) => void): void {
    this.#watchers.push(watcher);
  }

  /** The ring as last loaded; reads no store (a metrics scrape must not cost a query). */
  status(): KeyRingStatus {
    const active = this.#algs.flatMap((alg) => {
      const key = this.#activeKey(alg);
      return key ? [{ alg, kid: key.kid, activatesAt: key.activatesAt }] : [];
    });
    return { published: this.#jwks.keys.length, active };
  }

  /** The key that signs now for `alg`. */
  async signingKey(alg: SigningAlg): Promise<ActiveKey> {
    await this.#maybeReload();
    const active = this.#activeKey(alg);
    if (!active) throw new Error(`no active ${alg} signing key`);
    const previous = this.#signingKids.get(alg);
    if (previous !== active.kid) {
      this.#signingKids.set(alg, active.kid);
      if (previous !== undefined) this.#tell({ kind: 'activated', kid: active.kid, alg });
    }
    let imported = this.#imported.get(active.kid);
    if (!imported) {
      const opened = this.#sealer.open(active.sealedPrivateJwk);
      if (!opened) throw new Error(`signing key ${active.kid} cannot be opened with the configured cookieSecrets`);
      imported = importJWK(JSON.parse(opened) as JWK, alg);
      this.#imported.set(active.kid, imported);
    }
    return { kid: active.kid, alg, key: await imported };
  }

  #activeKey(alg: SigningAlg): StoredKey | undefined {
    const now = this.#now();
    return this.#keys
      .filter((key) => key.alg === alg && key.activatesAt <= now && (key.retiresAt === null || key.retiresAt > now))
      .sort((a, b) => b.activatesAt - a.activatesAt)[0];
  }

  #tell(change: KeyRingChange): void {
    for (const watcher of this.#watchers) watcher(change);
  }

  /** A published public key by `kid`, for checking our own tokens. */
  async verificationKey(kid: string, alg: string): Promise<SigningKey | undefined> {
    await this.#maybeReload();
    let found = this.#published().find((key) => key.kid === kid && key.alg === alg);
    if (!found && this.#now() - this.#loadedAt > 1000) {
      await this.#reload();
      found = this.#published().find((key) => key.kid === kid && key.alg === alg);
    }
    if (!found) return undefined;
    const cacheKey = `public:${kid}`;
    let imported = this.#imported.get(cacheKey);
    if (!imported) {
      imported = importJWK(found.publicJwk, alg);
      this.#imported.set(cacheKey, imported);
    }
    return imported;
  }

  /** The JWKS document: public members only, every key not yet retired. */
  async jwks(): Promise<{ keys: JWK[] }> {
    await this.#maybeReload();
    return this.#jwks;
  }

  #published(): StoredKey[] {
    const now = this.#now();
    return this.#keys.filter((key) => key.retiresAt === null || key.retiresAt > now);
  }

  async #create(alg: SigningAlg, activatesAt: number): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair(alg, {
      extractable: true,
      ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
      ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
    });
    const kid = randomToken(12);
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    const privateJwk = await exportJWK(privateKey);
    const record: StoredKey = {
      kid,
      alg,
      sealedPrivateJwk: this.#sealer.seal(JSON.stringify(privateJwk)),
      publicJwk,
      activatesAt,
      retiresAt: null,
    };
    await this.#store.put(namespace, kid, record, { indexes: [indexKey] });
    return kid;
  }

  async #maybeReload(): Promise<void> {
    if (this.#now() - this.#loadedAt > reloadMs) await this.#reload();
  }

  async #reload(): Promise<void> {
    this.#loading ??= (async () => {
      const found = await this.#store.findByIndex<StoredKey>(indexKey);
      const now = this.#now();
      for (const entry of found) {
        if (entry.value.retiresAt !== null && entry.value.retiresAt <= now)
          await this.#store.delete(namespace, entry.id);
      }
      const firstLoad = this.#loadedAt === Number.NEGATIVE_INFINITY;
      const known = new Set(this.#keys.map((key) => key.kid));
      this.#keys = found.map((entry) => entry.value).filter((key) => key.retiresAt === null || key.retiresAt > now);
      this.#jwks = { keys: this.#published().map((key) => key.publicJwk) };
      this.#loadedAt = now;
      if (!firstLoad) {
        for (const key of this.#keys.filter((candidate) => !known.has(candidate.kid)))
          this.#tell({ kind: 'published', kid: key.kid, alg: key.alg, activatesAt: key.activatesAt });
      }
    })().finally(() => {
      this.#loading = undefined;
    });
    await this.#loading;
  }
}
