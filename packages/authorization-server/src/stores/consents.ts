import type { Store } from '@gatehouse/store';

export interface Consent {
  [key: string]: string | string[] | number;
  clientId: string;
  scopes: string[];
  /** Milliseconds since the epoch. */
  grantedAt: number;
}

const namespace = 'consents';

/** Consent remembered per user and client, for a scope set; revocable from the profile page. */
export class Consents {
  readonly #store: Store;
  constructor(store: Store) {
    this.#store = store;
  }

  /** Whether the user already consented to every one of these scopes for this client. */
  async covers(sub: string, clientId: string, scopes: readonly string[]): Promise<boolean> {
    const consent = await this.#store.get<Consent>(namespace, `${sub}|${clientId}`);
    return consent !== undefined && scopes.every((scope) => consent.scopes.includes(scope));
  }

  /** Adds scopes to the user's consent for a client. */
  async grant(sub: string, clientId: string, scopes: readonly string[], nowMs: number): Promise<void> {
    const existing = await this.#store.get<Consent>(namespace, `${sub}|${clientId}`);
    const merged = [...new Set([...(existing?.scopes ?? []), ...scopes])];
    await this.#store.put(
      namespace,
      `${sub}|${clientId}`,
      { clientId, scopes: merged, grantedAt: nowMs },
      { indexes: [`consents:${sub}`] },
    );
  }

  async ofUser(sub: string): Promise<Consent[]> {
    return (await this.#store.findByIndex<Consent>(`consents:${sub}`)).map((entry) => entry.value);
  }

  async revoke(sub: string, clientId: string): Promise<boolean> {
    return this.#store.delete(namespace, `${sub}|${clientId}`);
  }
}
