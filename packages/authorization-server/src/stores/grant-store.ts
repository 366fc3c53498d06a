import type { Store } from '@gatehouse/store';
import { randomToken } from '../primitives/random.js';
import type { Grant } from '../protocol/grant.js';

const grants = 'grants';
const accessTokens = 'access-tokens';

/** Grant records and the index of user access tokens issued under each. */
export class GrantStore {
  readonly #store: Store;
  readonly #now: () => number;

  constructor(store: Store, now: () => number) {
    this.#store = store;
    this.#now = now;
  }

  newGrantId(): string {
    return randomToken(18);
  }

  /** Creates the grant; false when its id is already taken (or was revoked first, as by a code replay). */
  async create(grant: Grant): Promise<boolean> {
    const indexes = [`user:${grant.sub}`, `client-user:${grant.clientId}|${grant.sub}`];
    if (!grant.offline) indexes.push(`session:${grant.sid}`);
    const ttlSeconds = Math.max(1, (grant.expiresAt - this.#now()) / 1000);
    return (await this.#store.putIfAbsent(grants, grant.grantId, grant, { ttlSeconds, indexes })) !== undefined;
  }

  /** The live grant, or undefined when expired, revoked or unknown. */
  async find(grantId: string): Promise<Grant | undefined> {
    const grant = await this.#store.get<Grant>(grants, grantId);
    return grant && !grant.revoked ? grant : undefined;
  }

  /**
   * Revokes a grant and everything issued under it. Leaves a tombstone for the grant's remaining
   * life, so a concurrent redemption that has not created it yet cannot. Returns the grant as it was
   * (undefined when unknown), for the security event that names its account.
   */
  async revoke(grantId: string): Promise<Grant | undefined> {
    const existing = await this.#store.get<Grant>(grants, grantId);
    const ttlSeconds = existing ? Math.max(1, (existing.expiresAt - this.#now()) / 1000) : 3600;
    await this.#store.deleteByIndex(`grant:${grantId}`);
    await this.#store.put(grants, grantId, { ...(existing ?? {}), grantId, revoked: true } as Grant, { ttlSeconds });
    return existing;
  }

  /** Every live grant of a user. */
  async ofUser(sub: string): Promise<Grant[]> {
    const found = await this.#store.findByIndex<Grant>(`user:${sub}`);
    return found.map((entry) => entry.value).filter((grant) => !grant.revoked);
  }

  /** Revokes every grant a user gave one client (consent revoked on the profile page). */
  async revokeClientGrants(clientId: string, sub: string): Promise<void> {
    const found = await this.#store.findByIndex<Grant>(`client-user:${clientId}|${sub}`);
    for (const entry of found) await this.revoke(entry.id);
  }

  /** Revokes the grants tied to a provider session (those without `offline_access`). */
  async revokeSessionGrants(sid: string): Promise<void> {
    const found = await this.#store.findByIndex<Grant>(`session:${sid}`);
    for (const entry of found) await this.revoke(entry.id);
  }

  /** Records a user access token under its grant, until it expires. */
  async recordAccessToken(jti: string, grantId: string, expiresAt: number): Promise<void> {
    const ttlSeconds = Math.max(1, (expiresAt - this.#now()) / 1000);
    await this.#store.put(accessTokens, jti, grantId, { ttlSeconds, indexes: [`grant:${grantId}`] });
  }

  /** Whether a user access token is still live: recorded, and its grant not revoked. */
  async isAccessTokenLive(jti: string): Promise<boolean> {
    const grantId = await this.#store.get<string>(accessTokens, jti);
    return grantId !== undefined && (await this.find(grantId)) !== undefined;
  }

  /**
   * The grant a recorded user access token was issued under (token exchange mints its successor
   * there, so revoking the grant ends both). Undefined once the token expired or was revoked.
   */
  async grantOfAccessToken(jti: string): Promise<string | undefined> {
    return this.#store.get<string>(accessTokens, jti);
  }

  async forgetAccessToken(jti: string): Promise<void> {
    await this.#store.delete(accessTokens, jti);
  }
}
