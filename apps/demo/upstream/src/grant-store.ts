import { createHash, randomBytes } from 'node:crypto';

/** A checked authorization request waiting for the user's decision on the consent page. */
export interface PendingRequest {
  clientId: string;
  redirectUri: string;
  state: string | undefined;
  scope: string;
  codeChallenge: string;
}

export interface CodeRecord extends PendingRequest {
  userId: string;
  /** Chosen when the code is issued, so a replayed code can revoke what its first use issued. */
  grantId: string;
  expiresAt: number;
}

/** One user's consent to one client: the family of every token issued from one code. */
export interface Grant {
  id: string;
  userId: string;
  clientId: string;
  scope: string;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  scope: string;
}

const pendingTtlMs = 10 * 60_000;
const codeTtlMs = 60_000;
// Used codes are remembered a while past their expiry, so a late replay still revokes the grant.
const codeMemoryMs = 10 * 60_000;

/**
 * Every pending request, code, grant and token, in memory. Tokens are kept under their SHA-256, and a
 * revoked grant is simply forgotten: the tokens that point at it then lead nowhere.
 */
export class GrantStore {
  readonly #pending = new Map<string, PendingRequest & { expiresAt: number }>();
  readonly #codes = new Map<string, CodeRecord & { used: boolean }>();
  readonly #grants = new Map<string, Grant & { currentRefresh: string }>();
  /** Every refresh token ever issued (current or rotated away) → its grant, so reuse is noticed. */
  readonly #refreshTokens = new Map<string, string>();
  readonly #accessTokens = new Map<string, { grantId: string; expiresAt: number }>();

  constructor(
    private readonly now: () => number,
    private readonly accessTokenTtlSeconds: number,
  ) {}

  /** Keeps a request for the consent form (10 min); returns the id the form carries. */
  savePending(request: PendingRequest): string {
    this.#sweep();
    const id = randomToken();
    this.#pending.set(id, { ...request, expiresAt: this.now() + pendingTtlMs });
    return id;
  }

  /** Single use: the request is gone after this, whatever the user decided. */
  takePending(id: string): PendingRequest | undefined {
    const found = this.#pending.get(id);
    this.#pending.delete(id);
    return found && found.expiresAt > this.now() ? found : undefined;
  }

  /** An authorization code (60 s) for the user's consent to a pending request. */
  issueCode(request: PendingRequest, userId: string): string {
    this.#sweep();
    const code = randomToken();
    const record = { ...request, userId, grantId: randomToken(), expiresAt: this.now() + codeTtlMs, used: false };
    this.#codes.set(hash(code), record);
    return code;
  }

  /** Marks a code used; `firstUse` is false for a replay. Single-threaded, so two redemptions cannot both be first. */
  useCode(code: string): { record: CodeRecord; firstUse: boolean } | undefined {
    const record = this.#codes.get(hash(code));
    if (!record) return undefined;
    const firstUse = !record.used;
    record.used = true;
    return { record, firstUse };
  }

  /** Starts the grant a code was issued for and returns its first tokens. */
  openGrant(grant: Grant): IssuedTokens {
    this.#grants.set(grant.id, { ...grant, currentRefresh: '' });
    return this.rotate(grant.id, grant.scope);
  }

  /** The live grant of a refresh token and whether the token is its current one (not rotated away). */
  findRefreshToken(refreshToken: string): { grant: Grant; isCurrent: boolean } | undefined {
    const key = hash(refreshToken);
    const grant = this.#grants.get(this.#refreshTokens.get(key) ?? '');
    return grant && { grant, isCurrent: grant.currentRefresh === key };
  }

  /** A new access token and a new refresh token for a grant; the previous refresh token stops working. */
  rotate(grantId: string, scope: string): IssuedTokens {
    const grant = this.#grants.get(grantId);
    if (!grant) throw new Error(`no grant ${grantId}`); // callers hold a live grant; this is a bug
    this.#sweep();
    const accessToken = randomToken();
    const refreshToken = randomToken();
    const expiresAt = this.now() + this.accessTokenTtlSeconds * 1000;
    this.#accessTokens.set(hash(accessToken), { grantId, expiresAt });
    grant.currentRefresh = hash(refreshToken);
    this.#refreshTokens.set(grant.currentRefresh, grantId);
    return { accessToken, refreshToken, expiresIn: this.accessTokenTtlSeconds, scope };
  }

  /** The grant behind an access token, or undefined when the token is unknown, expired or revoked. */
  readAccessToken(accessToken: string): Grant | undefined {
    const record = this.#accessTokens.get(hash(accessToken));
    if (!record || record.expiresAt <= this.now()) return undefined;
    return this.#grants.get(record.grantId);
  }

  revokeGrant(grantId: string): void {
    this.#grants.delete(grantId);
  }

  /** Every grant of the user, and codes not yet redeemed: as if the user removed the app. */
  revokeUser(userId: string): void {
    for (const [id, grant] of this.#grants) if (grant.userId === userId) this.#grants.delete(id);
    for (const [key, code] of this.#codes) if (code.userId === userId) this.#codes.delete(key);
  }

  /** Drops what has expired, so a long-running demo does not grow without end. */
  #sweep(): void {
    const now = this.now();
    for (const [id, request] of this.#pending) if (request.expiresAt <= now) this.#pending.delete(id);
    for (const [key, code] of this.#codes) if (code.expiresAt + codeMemoryMs <= now) this.#codes.delete(key);
    for (const [key, token] of this.#accessTokens) if (token.expiresAt <= now) this.#accessTokens.delete(key);
  }
}

/** 256 random bits, base64url. */
function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
