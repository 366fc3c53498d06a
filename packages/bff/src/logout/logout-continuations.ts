import { createHash, randomBytes } from 'node:crypto';
import type { Store } from '@gatehouse/store';
import { type TokenCipher, TokenDecryptionError } from '../session/token-cipher.js';

const namespace = 'bff-logout-continuations';
/** How long the browser has to follow a continuation, in seconds. */
const continuationSeconds = 60;
/** 24 random bytes, base64url. */
const idPattern = /^[A-Za-z0-9_-]{32}$/;

/**
 * The single-use step between `POST /bff/logout` and the provider's end-session endpoint: the page
 * gets an id, the browser navigates to it, and only then learns the end-session URL — which holds the
 * ID token as `id_token_hint` — in a `Location` header no script can read. At rest the URL is sealed
 * with the token cipher and kept under a hash of the id, so a store dump holds neither the ID token
 * nor an id that would make the BFF hand it out.
 */
export class LogoutContinuations {
  readonly #store: Store;
  readonly #cipher: TokenCipher;

  constructor(store: Store, cipher: TokenCipher) {
    this.#store = store;
    this.#cipher = cipher;
  }

  /** Keeps `url` for one navigation within a minute; returns the id to navigate with. */
  async save(url: string): Promise<string> {
    const id = randomBytes(24).toString('base64url');
    const key = storeKey(id);
    await this.#store.put(namespace, key, this.#cipher.seal(url, sealingContext(key)), {
      ttlSeconds: continuationSeconds,
    });
    return id;
  }

  /**
   * The URL saved under `id`, once; `undefined` when the id is malformed, unknown, used, expired, or
   * sealed under a token-encryption key no longer configured.
   */
  async take(id: string | null | undefined): Promise<string | undefined> {
    if (typeof id !== 'string' || !idPattern.test(id)) return undefined;
    const key = storeKey(id);
    // Taken, not read: the continuation is single use.
    const sealed = await this.#store.take<string>(namespace, key);
    if (typeof sealed !== 'string') return undefined;
    try {
      return this.#cipher.open(sealed, sealingContext(key));
    } catch (error) {
      if (error instanceof TokenDecryptionError) return undefined;
      throw error;
    }
  }
}

function storeKey(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

function sealingContext(key: string): string {
  return `${namespace}:${key}`;
}
