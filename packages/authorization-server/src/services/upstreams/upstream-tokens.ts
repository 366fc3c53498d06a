import {
  type Fetch,
  ProviderUnavailableError,
  requestTokens,
  TokenEndpointError,
  type TokenResponse,
} from '@gatehouse/oidc-client';
import { type Store, waitForLock } from '@gatehouse/store';
import type { Sealer } from '../../primitives/sealing.js';
import { UpstreamTokenError } from './upstream-errors.js';
import type { UpstreamProviders } from './upstream-providers.js';

/** The user's tokens at one upstream, as stored: both sealed, the rest in the clear for decisions. */
interface StoredUpstreamTokens {
  [key: string]: string | number | null;
  /** AES-GCM sealed JSON `{ accessToken, refreshToken? }`. */
  sealed: string;
  /** Milliseconds since the epoch; null when the upstream did not say. */
  expiresAt: number | null;
  scope: string | null;
  /** `reconsent_required` after the upstream refused the refresh token. */
  status: 'active' | 'reconsent_required';
}

interface OpenedTokens {
  accessToken: string;
  refreshToken?: string;
}

/** A usable upstream access token. */
export interface UpstreamAccessToken {
  accessToken: string;
  /** Milliseconds since the epoch, or null when the upstream did not say. */
  expiresAt: number | null;
}

export type UpstreamLinkStatus = 'active' | 'reconsent_required' | 'none';

const namespace = 'upstream-tokens';
const userIndex = (sub: string) => `upstream-tokens-of:${sub}`;
/** Refresh this long before expiry, so a token handed out survives the call it is for. */
const refreshMarginMs = 60_000;
const lockSeconds = 15;

/**
 * Users' upstream tokens, kept server-side and sealed under the provider's secrets (purpose
 * `upstream-tokens`). `accessToken` refreshes a token near expiry once across every instance (a
 * store lock; the others wait and reuse the result); an upstream that refuses the refresh token marks
 * the link `reconsent_required` and every later call fails clearly until the user signs in there again.
 */
export class UpstreamTokens {
  readonly #store: Store;
  readonly #sealer: Sealer;
  readonly #providers: UpstreamProviders;
  readonly #fetch: Fetch;
  readonly #now: () => number;

  constructor(store: Store, sealer: Sealer, providers: UpstreamProviders, fetchImpl: Fetch, now: () => number) {
    this.#store = store;
    this.#sealer = sealer;
    this.#providers = providers;
    this.#fetch = fetchImpl;
    this.#now = now;
  }

  /** Keeps the tokens of a fresh upstream sign-in (replacing older ones and any re-consent mark). */
  async save(sub: string, upstream: string, tokens: TokenResponse, previousRefreshToken?: string): Promise<void> {
    const refreshToken = tokens.refresh_token ?? previousRefreshToken;
    const opened: OpenedTokens = { accessToken: tokens.access_token, ...(refreshToken ? { refreshToken } : {}) };
    const record: StoredUpstreamTokens = {
      sealed: this.#sealer.seal(JSON.stringify(opened)),
      expiresAt: tokens.expires_in === undefined ? null : this.#now() + tokens.expires_in * 1000,
      scope: tokens.scope ?? null,
      status: 'active',
    };
    await this.#store.put(namespace, recordId(sub, upstream), record, { indexes: [userIndex(sub)] });
  }

  async status(sub: string, upstream: string): Promise<UpstreamLinkStatus> {
    const record = await this.#store.get<StoredUpstreamTokens>(namespace, recordId(sub, upstream));
    return record ? record.status : 'none';
  }

  async remove(sub: string, upstream: string): Promise<void> {
    await this.#store.delete(namespace, recordId(sub, upstream));
  }

  async removeAll(sub: string): Promise<void> {
    await this.#store.deleteByIndex(userIndex(sub));
  }

  /** A live access token for the user at `upstream`, refreshed first when it is near expiry. */
  async accessToken(sub: string, upstream: string): Promise<UpstreamAccessToken> {
    const id = recordId(sub, upstream);
    const record = await this.#store.get<StoredUpstreamTokens>(namespace, id);
    const usable = this.#usable(record, upstream);
    if (usable) return usable;
    const lock = await this.#lock(id);
    try {
      // Another instance may have refreshed while this one waited.
      const entry = await this.#store.getEntry<StoredUpstreamTokens>(namespace, id);
      const fresh = this.#usable(entry?.value, upstream);
      return fresh ?? (await this.#refresh(sub, upstream, entry?.value as StoredUpstreamTokens));
    } finally {
      await lock.release();
    }
  }

  /** The stored token when it is not near expiry; undefined when it needs a refresh; throws when it cannot be used. */
  #usable(record: StoredUpstreamTokens | undefined, upstream: string): UpstreamAccessToken | undefined {
    const opened = this.#usableOrThrow(record, upstream);
    const expiresAt = (record as StoredUpstreamTokens).expiresAt;
    if (expiresAt !== null && expiresAt - this.#now() < refreshMarginMs) return undefined;
    return { accessToken: opened.accessToken, expiresAt };
  }

  #usableOrThrow(record: StoredUpstreamTokens | undefined, upstream: string): OpenedTokens {
    if (!record) throw new UpstreamTokenError('not_linked', `the user has no linked account at ${upstream}`);
    if (record.status === 'reconsent_required')
      throw new UpstreamTokenError('reconsent_required', `${upstream} needs the user to sign in there again`);
    const opened = this.#open(record);
    if (!opened) throw new UpstreamTokenError('reconsent_required', `the stored ${upstream} tokens cannot be opened`);
    return opened;
  }

  async #refresh(sub: string, upstream: string, record: StoredUpstreamTokens): Promise<UpstreamAccessToken> {
    const opened = this.#open(record) as OpenedTokens;
    const expired = record.expiresAt !== null && record.expiresAt <= this.#now();
    if (!opened.refreshToken) {
      // Nothing to refresh with: the token lasts until it expires, then the user must come back.
      if (!expired) return { accessToken: opened.accessToken, expiresAt: record.expiresAt };
      await this.#markReconsent(sub, upstream, record);
      throw new UpstreamTokenError('reconsent_required', `the ${upstream} token expired and cannot be refreshed`);
    }
    let tokens: TokenResponse;
    try {
      const resolved = await this.#providers.resolve(upstream);
      tokens = await requestTokens(
        resolved.metadata,
        resolved.credentials,
        { grant_type: 'refresh_token', refresh_token: opened.refreshToken },
        { fetch: this.#fetch },
      );
    } catch (error) {
      // Only invalid_grant speaks about the user's grant; invalid_client (a wrong or rotated secret of
      // ours) must not throw away every user's tokens.
      if (error instanceof TokenEndpointError && error.oauthError === 'invalid_grant') {
        await this.#markReconsent(sub, upstream, record);
        throw new UpstreamTokenError('reconsent_required', `${upstream} refused the stored grant`, { cause: error });
      }
      if (!expired) return { accessToken: opened.accessToken, expiresAt: record.expiresAt };
      const unavailable = error instanceof ProviderUnavailableError || error instanceof TokenEndpointError;
      throw new UpstreamTokenError('upstream_unavailable', `${upstream} could not refresh the token`, {
        cause: unavailable ? error : undefined,
      });
    }
    await this.save(sub, upstream, tokens, opened.refreshToken);
    return {
      accessToken: tokens.access_token,
      expiresAt: tokens.expires_in === undefined ? null : this.#now() + tokens.expires_in * 1000,
    };
  }

  async #markReconsent(sub: string, upstream: string, record: StoredUpstreamTokens): Promise<void> {
    // The tokens are useless now; keep only the mark.
    await this.#store.put(
      namespace,
      recordId(sub, upstream),
      { ...record, sealed: '', status: 'reconsent_required' },
      { indexes: [userIndex(sub)] },
    );
  }

  #open(record: StoredUpstreamTokens): OpenedTokens | undefined {
    const plaintext = record.sealed ? this.#sealer.open(record.sealed) : undefined;
    if (!plaintext) return undefined;
    return JSON.parse(plaintext) as OpenedTokens;
  }

  async #lock(id: string) {
    const lock = await waitForLock(this.#store, `upstream-refresh:${id}`, { ttlSeconds: lockSeconds, waitMs: 10_000 });
    if (!lock)
      throw new UpstreamTokenError('upstream_unavailable', 'another refresh of this upstream token did not finish');
    return lock;
  }
}

function recordId(sub: string, upstream: string): string {
  return `${sub}|${upstream}`;
}
