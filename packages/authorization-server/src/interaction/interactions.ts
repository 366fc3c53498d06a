import type { JsonValue, Store } from '@gatehouse/store';
import type { AuthorizationRequest } from '../endpoints/authorize/authorization-request.js';
import { randomToken } from '../tokens/random.js';

/** An authorization request waiting for the user to sign in or consent. */
export interface Interaction {
  request: AuthorizationRequest;
  /** The user signed in during this interaction (satisfies `prompt=login` and `max_age`). */
  signedIn: boolean;
  /** The user answered the consent page during this interaction (satisfies `prompt=consent`). */
  consented: boolean;
}

const namespace = 'interactions';
const ttlSeconds = 30 * 60;

/** Pending authorization requests, by a random id carried in the login and consent pages' URLs. */
export class Interactions {
  readonly #store: Store;
  constructor(store: Store) {
    this.#store = store;
  }

  async start(request: AuthorizationRequest): Promise<string> {
    const id = randomToken(24);
    await this.#store.put(namespace, id, toJson({ request, signedIn: false, consented: false }), { ttlSeconds });
    return id;
  }

  async find(id: string): Promise<Interaction | undefined> {
    if (!/^[A-Za-z0-9_-]{32}$/.test(id)) return undefined;
    return (await this.#store.get(namespace, id)) as Interaction | undefined;
  }

  async update(id: string, changes: Partial<Pick<Interaction, 'signedIn' | 'consented'>>): Promise<void> {
    const found = await this.find(id);
    if (found) await this.#store.put(namespace, id, toJson({ ...found, ...changes }), { ttlSeconds });
  }

  /** Ends the interaction; of concurrent finishers, only one gets it (so one code per interaction). */
  async finish(id: string): Promise<Interaction | undefined> {
    return (await this.#store.take(namespace, id)) as Interaction | undefined;
  }
}

/** The request's optional fields are `undefined` when absent; stored JSON simply leaves them out. */
function toJson(interaction: Interaction): JsonValue {
  return JSON.parse(JSON.stringify(interaction)) as JsonValue;
}
