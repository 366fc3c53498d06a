import { createHash } from 'node:crypto';
import type { ClientCredentials, Fetch, ProviderMetadata } from '@gatehouse/oidc-client';
import { type Store, waitForLock } from '@gatehouse/store';
import { type RefreshCall, refreshAtProvider, refreshLockTiming } from '../refresh/refresh-at-provider.js';
import { RefreshUnavailableError } from '../refresh/refresh-unavailable.js';
import type { TokenCipher } from '../session/token-cipher.js';

/** Why `asUser` could not act for the user. */
export class OfflineAccessError extends Error {
  override readonly name = 'OfflineAccessError';
  readonly code = 'ERR_OFFLINE_ACCESS';
  constructor(
    /** `not_granted`: the user never allowed it (or it was removed); `revoked`: the provider refused the grant. */
    readonly reason: 'not_granted' | 'revoked',
    message: string,
  ) {
    super(message);
  }
}

export interface OfflineGrant {
  issuer: string;
  subject: string;
  scope: string;
  /** Milliseconds since the epoch. */
  grantedAt: number;
}

type StoredGrant = OfflineGrant & { sealedRefreshToken: string; [key: string]: string | number };

const namespace = 'bff-offline-grants';

/**
 * Refresh tokens a user granted for `offline_access`, kept apart from any browser session (a separate
 * authorization, so the session's rotation never touches them), sealed under the token-encryption
 * keys, one per user and provider. `asUser` turns one into a fresh access token when the user is not
 * there: one refresh per user at a time across instances (store lock), the rotated token written back.
 */
export class OfflineGrants {
  readonly #store: Store;
  readonly #cipher: TokenCipher;
  readonly #metadata: ProviderMetadata;
  readonly #refresh: RefreshCall;
  readonly #now: () => number;

  constructor(
    store: Store,
    cipher: TokenCipher,
    options: {
      metadata: ProviderMetadata;
      client: ClientCredentials;
      fetch: Fetch;
      now: () => number;
      /** Deadline of one refresh at the provider (`refreshTimeoutMs`). */
      timeoutMs: number;
    },
  ) {
    this.#store = store;
    this.#cipher = cipher;
    this.#metadata = options.metadata;
    this.#now = options.now;
    this.#refresh = {
      metadata: options.metadata,
      client: options.client,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      now: options.now,
    };
  }

  /** Keeps (or replaces) the user's offline grant. */
  async save(subject: string, refreshToken: string, scope: string): Promise<void> {
    const key = this.#key(subject);
    const record: StoredGrant = {
      issuer: this.#metadata.issuer,
      subject,
      scope,
      grantedAt: this.#now(),
      sealedRefreshToken: this.#cipher.seal(refreshToken, key),
    };
    await this.#store.put(namespace, key, record);
  }

  /** The user's offline grant (without its token), or undefined. */
  async find(subject: string): Promise<OfflineGrant | undefined> {
    const record = await this.#store.get<StoredGrant>(namespace, this.#key(subject));
    return (
      record && { issuer: record.issuer, subject: record.subject, scope: record.scope, grantedAt: record.grantedAt }
    );
  }

  /** Forgets the grant and returns its refresh token (for the caller to revoke), if there was one. */
  async remove(subject: string): Promise<string | undefined> {
    const key = this.#key(subject);
    const record = await this.#store.take<StoredGrant>(namespace, key);
    return record ? this.#cipher.open(record.sealedRefreshToken, key) : undefined;
  }

  /**
   * Runs `fn` with a fresh access token for the user (for `scopes`, or everything granted), obtained
   * from the stored grant. Throws {@link OfflineAccessError}: `not_granted` without a grant, `revoked`
   * when the provider refuses it (then the grant is forgotten, so later calls fail fast too); and
   * `RefreshUnavailableError` when the provider cannot be reached or another refresh of the grant
   * is still running — the grant is kept, try again later. A lost answer is retried at once.
   */
  async asUser<T>(subject: string, scopes: readonly string[], fn: (accessToken: string) => Promise<T>): Promise<T> {
    const key = this.#key(subject);
    const lock = await this.#lock(key);
    let accessToken: string;
    try {
      const entry = await this.#store.getEntry<StoredGrant>(namespace, key);
      if (!entry) throw new OfflineAccessError('not_granted', 'the user has not granted offline access');
      const refreshToken = this.#cipher.open(entry.value.sealedRefreshToken, key);
      const attempt = await refreshAtProvider(this.#refresh, refreshToken, scopes.join(' ') || undefined);
      if (attempt.kind === 'refused') {
        await this.#store.delete(namespace, key);
        throw new OfflineAccessError('revoked', 'the provider no longer honours the offline grant');
      }
      // The grant stays as it was: a later call tries again.
      if (attempt.kind === 'transient') throw attempt.error;
      const tokens = attempt.response;
      if (tokens.refresh_token && tokens.refresh_token !== refreshToken) {
        const rotated = { ...entry.value, sealedRefreshToken: this.#cipher.seal(tokens.refresh_token, key) };
        await this.#store.compareAndSet(namespace, key, entry.version, rotated);
      }
      accessToken = tokens.access_token;
    } finally {
      await lock.release();
    }
    return fn(accessToken);
  }

  async #lock(key: string) {
    const timing = refreshLockTiming(this.#refresh.timeoutMs);
    const lock = await waitForLock(this.#store, `bff-offline:${key}`, {
      ttlSeconds: timing.lockSeconds,
      waitMs: timing.waitMs,
      pollMs: 50,
    });
    if (!lock) throw new RefreshUnavailableError('refresh_pending');
    return lock;
  }

  #key(subject: string): string {
    return createHash('sha256').update(`${this.#metadata.issuer}|${subject}`).digest('base64url');
  }
}
