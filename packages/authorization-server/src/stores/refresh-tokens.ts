import { createHmac } from 'node:crypto';
import type { Store } from '@gatehouse/store';
import { randomToken, safeEqual, sha256 } from '../primitives/random.js';
import type { Sealer } from '../primitives/sealing.js';

/**
 * A family of refresh tokens as stored: one record per grant's chain, rewritten in place on every
 * rotation (one write). Token `n` of the family is `<familyId>.<n>.<HMAC(key, familyId.n)>`; the
 * family's random key is kept sealed, so the store alone holds no token and cannot mint one.
 */
interface FamilyRecord {
  [key: string]: string | number | null;
  grantId: string;
  clientId: string;
  /** The generation of the current token; every lower one has been rotated. */
  generation: number;
  /** When the current token's predecessor was rotated (the grace window's start), or null. */
  rotatedAt: number | null;
  sealedKey: string;
}

/** A refresh token of an older version, stored under the SHA-256 of its value (one record per token). */
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
const familyPrefix = 'family.';
const familyToken = /^([A-Za-z0-9_-]{1,64})\.(0|[1-9][0-9]{0,8})\.([A-Za-z0-9_-]{43})$/;
const familyIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

/** A family token's parts: which family, which generation, and its MAC. */
interface ParsedToken {
  familyId: string;
  generation: number;
  mac: string;
}

/**
 * Refresh tokens, in families under one grant, rotated on every use (RFC 9700 §4.14). Presenting a
 * rotated token is reuse — except that the same client presenting the immediately previous token
 * again within `graceSeconds` gets the same successor, so a retried request (a lost response, two
 * tabs at once) does not end the session.
 *
 * A family is one record whose generation a rotation advances with one compare-and-set: exactly one
 * of concurrent uses wins, the others read the new generation and are retries; every earlier
 * generation's MAC still verifies, so any older token is recognised as reuse. (Tokens issued by
 * older versions — a record per token, under its hash — keep rotating as they did until they lapse.)
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
    const key = randomToken(32);
    const ttlSeconds = Math.max(1, (expiresAt - this.#now()) / 1000);
    // The family is named after its grant (a grant has one), so a use can read both at once
    // ({@link grantHint}); a second family of a grant, or an id unfit for a token, gets a random name.
    for (const familyId of familyIdPattern.test(grantId) ? [grantId, randomToken(16)] : [randomToken(16)]) {
      const record: FamilyRecord = {
        grantId,
        clientId,
        generation: 0,
        rotatedAt: null,
        sealedKey: this.#sealer.seal(key, familyId),
      };
      const written = await this.#store.putIfAbsent(namespace, familyPrefix + familyId, record, {
        ttlSeconds,
        indexes: [`grant:${grantId}`],
      });
      if (written !== undefined) return tokenOf(familyId, 0, key);
    }
    throw new Error('refresh token family id collision'); // two random 128-bit names taken: not expected
  }

  /**
   * The grant a token names, unverified: a hint for reading the grant while the token is checked.
   * Nothing may be decided on it — {@link use} hands the verified grant id to `successorExpiry`.
   */
  grantHint(token: string): string | undefined {
    return token.length > 512 ? undefined : parseToken(token)?.familyId;
  }

  /** The grant behind a token this client holds, without using it (introspection, revocation). */
  async peek(token: string, clientId: string): Promise<{ grantId: string; current: boolean } | undefined> {
    if (token.length > 512) return undefined;
    const parsed = parseToken(token);
    if (parsed) {
      const family = await this.#store.get<FamilyRecord>(namespace, familyPrefix + parsed.familyId);
      if (!family || family.clientId !== clientId || this.#keyIfGenuine(family, parsed) === undefined) return undefined;
      return { grantId: family.grantId, current: parsed.generation === family.generation };
    }
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
    const parsed = parseToken(token);
    return parsed
      ? this.#useFamily(parsed, clientId, successorExpiry)
      : this.#useLegacy(token, clientId, successorExpiry);
  }

  async #useFamily(
    parsed: ParsedToken,
    clientId: string,
    successorExpiry: (grantId: string) => Promise<number | undefined>,
  ): Promise<RefreshOutcome> {
    const id = familyPrefix + parsed.familyId;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const entry = await this.#store.getEntry<FamilyRecord>(namespace, id);
      if (!entry || entry.value.clientId !== clientId) return { kind: 'invalid' };
      const family = entry.value;
      const key = this.#keyIfGenuine(family, parsed);
      if (key === undefined) return { kind: 'invalid' };
      if (parsed.generation < family.generation) {
        // The immediately previous token within the grace window: its successor is still unused
        // (or the generation would have moved on), so it is a retry and gets that same successor.
        const withinGrace =
          parsed.generation === family.generation - 1 &&
          family.rotatedAt !== null &&
          this.#now() - family.rotatedAt <= this.#graceSeconds * 1000;
        if (!withinGrace) return { kind: 'reused', grantId: family.grantId };
        return { kind: 'retried', grantId: family.grantId, token: tokenOf(parsed.familyId, family.generation, key) };
      }
      // The grant decides (and may refuse: revoked, expired, a wider scope) before anything is rotated.
      const successorExpiresAt = await successorExpiry(family.grantId);
      if (successorExpiresAt === undefined) return { kind: 'invalid' };
      const generation = family.generation + 1;
      // The family is kept as long as it may live, so a late reuse is still recognised.
      const ttlSeconds = Math.max(1, (successorExpiresAt - this.#now()) / 1000);
      const written = await this.#store.compareAndSet(
        namespace,
        id,
        entry.version,
        // Sealed again under the current key, so a family in use survives a cookie-secret rotation.
        { ...family, generation, rotatedAt: this.#now(), sealedKey: this.#sealer.seal(key, parsed.familyId) },
        { ttlSeconds, indexes: [`grant:${family.grantId}`] },
      );
      if (written !== undefined)
        return { kind: 'rotated', grantId: family.grantId, token: tokenOf(parsed.familyId, generation, key) };
      // Another request rotated it first (or the family was revoked): read again, as its retry.
    }
    return { kind: 'invalid' };
  }

  /** The family's key when `parsed` is one of its tokens, current or earlier (its MAC verifies). */
  #keyIfGenuine(family: FamilyRecord, parsed: ParsedToken): string | undefined {
    if (parsed.generation > family.generation) return undefined;
    const key = this.#sealer.open(family.sealedKey, parsed.familyId);
    if (key === undefined || !safeEqual(macOf(key, parsed.familyId, parsed.generation), parsed.mac)) return undefined;
    return key;
  }

  async #useLegacy(
    token: string,
    clientId: string,
    successorExpiry: (grantId: string) => Promise<number | undefined>,
  ): Promise<RefreshOutcome> {
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

function parseToken(token: string): ParsedToken | undefined {
  const match = familyToken.exec(token);
  if (!match) return undefined;
  return { familyId: match[1] as string, generation: Number(match[2]), mac: match[3] as string };
}

function macOf(key: string, familyId: string, generation: number): string {
  return createHmac('sha256', key).update(`${familyId}.${generation}`).digest('base64url');
}

function tokenOf(familyId: string, generation: number, key: string): string {
  return `${familyId}.${generation}.${macOf(key, familyId, generation)}`;
}
