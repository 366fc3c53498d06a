import type { Store } from '@gatehouse/store';
import { randomToken, sha256 } from '../primitives/random.js';
import type { Sealer } from '../primitives/sealing.js';

/** A refresh token as stored, under the SHA-256 of its value. */
interface RefreshRecord {
  [key: string]: string | number | null;
  grantId: string;
  clientId: string;
  /** Milliseconds since the epoch when this token was rotated, or null while it is the current one. */
  rotatedAt: number | null;
  /** The successor's hash, and the successor itself sealed (for an idempotent retry in the grace window). */
  successorHash: string | null;
  sealedSuccessor: string | null;
}

export type RefreshOutcome =
  /** Rotated: `token` is the new refresh token. */
  | { kind: 'rotated'; grantId: string; token: string }
  /** A retry of the previous token within the grace window: the same successor as before. */
  | { kind: 'retried'; grantId: string; token: string }
  /** Reuse of a rotated token: the family must be revoked. */
  | { kind: 'reused'; grantId: string }
  /** Unknown, expired, or of another client. */
  | { kind: 'invalid' };

const namespace = 'refresh-tokens';

/**
 * Refresh tokens: opaque 256-bit values stored hashed, in families under one grant, rotated on every
 * use (RFC 9700 §4.14). Presenting a rotated token is reuse — except that the same client presenting
 * the immediately previous token again within `graceSeconds` gets the same successor, so a retried
 * request (a lost response, two tabs at once) does not end the session.
 */
export class RefreshTokens {
  readonly #store: Store;
  readonly #sealer: Sealer;
  readonly #now: () => number;
  readonly #graceSeconds: number;

  constructor(store: Store, sealer: Sealer, options: { graceSeconds: number; now: () => number }) {
    this.#store = store;
    this.#sealer = sealer;
    this.#graceSeconds = options.graceSeconds;
    this.#now = options.now;
  }

  /** Issues the first token of a family. `expiresAt` is the earlier of the idle and absolute limits. */
  async issue(grantId: string, clientId: string, expiresAt: number): Promise<string> {
    const token = randomToken(32);
    await this.#write(sha256(token), grantId, clientId, expiresAt);
    return token;
  }

  /** The grant behind a token this client holds, without using it (introspection, revocation). */
  async peek(token: string, clientId: string): Promise<{ grantId: string; current: boolean } | undefined> {
    if (token.length > 512) return undefined;
    const record = await this.#store.get<RefreshRecord>(namespace, sha256(token));
    if (!record || record.clientId !== clientId) return undefined;
    return { grantId: record.grantId, current: record.rotatedAt === null };
  }

  /**
   * Uses a token: rotates it, or recognises a retry or a reuse. `successorExpiry` looks at the token's
   * grant and says when the new token lapses (idle limit, capped by the grant's absolute end), or
   * `undefined` to refuse; it may also throw (a wider scope) and nothing is rotated.
   */
  async use(
    token: string,
    clientId: string,
    successorExpiry: (grantId: string) => Promise<number | undefined>,
  ): Promise<RefreshOutcome> {
    if (token.length > 512) return { kind: 'invalid' };
    const hash = sha256(token);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const entry = await this.#store.getEntry<RefreshRecord>(namespace, hash);
      if (!entry || entry.value.clientId !== clientId) return { kind: 'invalid' };
      const record = entry.value;
      if (record.rotatedAt !== null) return this.#retryOrReuse(record);
      // The grant decides (and may refuse: revoked, expired, a wider scope) before anything is rotated.
      const successorExpiresAt = await successorExpiry(record.grantId);
      if (successorExpiresAt === undefined) return { kind: 'invalid' };
      const successor = randomToken(32);
      const successorHash = sha256(successor);
      await this.#write(successorHash, record.grantId, clientId, successorExpiresAt);
      const rotated: RefreshRecord = {
        ...record,
        rotatedAt: this.#now(),
        successorHash,
        sealedSuccessor: this.#sealer.seal(successor),
      };
      // Keep the rotated record as long as the family may live, so a late reuse is still recognised.
      const ttlSeconds = Math.max(1, (successorExpiresAt - this.#now()) / 1000);
      const written = await this.#store.compareAndSet(namespace, hash, entry.version, rotated, {
        ttlSeconds,
        indexes: [`grant:${record.grantId}`],
      });
      if (written !== undefined) return { kind: 'rotated', grantId: record.grantId, token: successor };
      // Another request rotated it first: drop ours and answer as that one's retry.
      await this.#store.delete(namespace, successorHash);
    }
    return { kind: 'invalid' };
  }

  async #retryOrReuse(record: RefreshRecord): Promise<RefreshOutcome> {
    const withinGrace = this.#now() - (record.rotatedAt as number) <= this.#graceSeconds * 1000;
    if (withinGrace && record.successorHash && record.sealedSuccessor) {
      const successor = await this.#store.get<RefreshRecord>(namespace, record.successorHash);
      const token = this.#sealer.open(record.sealedSuccessor);
      // Only while the successor itself is unused: once it has been rotated, the old one is history.
      if (successor && successor.rotatedAt === null && token) {
        return { kind: 'retried', grantId: record.grantId, token };
      }
    }
    return { kind: 'reused', grantId: record.grantId };
  }

  async #write(hash: string, grantId: string, clientId: string, expiresAt: number): Promise<void> {
    const record: RefreshRecord = { grantId, clientId, rotatedAt: null, successorHash: null, sealedSuccessor: null };
    const ttlSeconds = Math.max(1, (expiresAt - this.#now()) / 1000);
    await this.#store.put(namespace, hash, record, { ttlSeconds, indexes: [`grant:${grantId}`] });
  }
}
