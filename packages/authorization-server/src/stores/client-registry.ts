import type { JsonValue, Store } from '@gatehouse/store';
import { Value } from '@sinclair/typebox/value';
import { checkClientMetadata } from '../checks/check-client-metadata.js';
import { ClientSecretHasher } from '../primitives/client-secret-hash.js';
import { type ClientMetadata, clientMetadataSchema, type RegisteredClient } from '../protocol/client-metadata.js';

const namespace = 'clients';
const cacheMs = 30_000;

/** Thrown by {@link ClientRegistry.register} for metadata that breaks the registration rules. */
export class ClientMetadataError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'ClientMetadataError';
    this.field = field;
  }
}

/**
 * Clients from the configuration and clients registered in the store (`gatehouse clients add`).
 * Configured ones win on a clash. Store lookups are cached for 30 s per instance.
 *
 * Secrets are kept as keyed hashes under keys derived from `serverSecrets` (the configuration's
 * `cookieSecrets`), so a dump of the store cannot be searched for a weak one. A record from before
 * keyed hashing (a bare SHA-256) is rewritten keyed the first time it is looked up; one hashed under
 * a rotated-out key is rewritten under the current key when its client next authenticates.
 */
export class ClientRegistry {
  readonly #configured = new Map<string, RegisteredClient>();
  readonly #cache = new Map<string, { client: RegisteredClient | undefined; at: number }>();
  readonly #store: Store;
  readonly #now: () => number;
  readonly #secrets: ClientSecretHasher;

  constructor(
    configured: readonly ClientMetadata[],
    store: Store,
    now: () => number,
    serverSecrets: readonly string[],
  ) {
    this.#secrets = new ClientSecretHasher(serverSecrets);
    for (const client of configured) this.#configured.set(client.client_id, toRegistered(client, this.#secrets));
    this.#store = store;
    this.#now = now;
  }

  async find(clientId: string): Promise<RegisteredClient | undefined> {
    const configured = this.#configured.get(clientId);
    if (configured) return configured;
    const cached = this.#cache.get(clientId);
    if (cached && this.#now() - cached.at < cacheMs) return cached.client;
    const stored = await this.#readStored(clientId);
    // Clients stored by an older version lack newer list fields: they default to empty.
    const client = stored
      ? {
          ...stored,
          one_time_code_issuers: stored.one_time_code_issuers ?? [],
          upstream_tokens: stored.upstream_tokens ?? [],
          resources: stored.resources ?? [],
          scopes: new Set(stored.scope.split(' ')),
        }
      : undefined;
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(clientId, { client: client as RegisteredClient | undefined, at: this.#now() });
    return client as RegisteredClient | undefined;
  }

  /**
   * Whether `secret` is the client's (compared in constant time). A match under a rotated-out key
   * is rewritten under the current one.
   */
  async verifySecret(client: RegisteredClient, secret: string): Promise<boolean> {
    if (client.secretHash === undefined) return false;
    const match = this.#secrets.verify(secret, client.secretHash);
    if (match === 'outdated' && !this.#configured.has(client.client_id)) {
      await this.#rewriteSecretHash(client.client_id, client.secretHash, this.#secrets.hash(secret));
    }
    return match !== 'no-match';
  }

  /** Every configured client (for pages that list them). */
  configured(): RegisteredClient[] {
    return [...this.#configured.values()];
  }

  /**
   * Registers (or replaces) a client in the store. Checks the metadata like the configuration does;
   * the secret is kept only as its hash.
   */
  async register(input: unknown): Promise<RegisteredClient> {
    const withDefaults = Value.Default(clientMetadataSchema, Value.Clone(input));
    const problem = Value.Errors(clientMetadataSchema, withDefaults).First();
    if (problem) throw new ClientMetadataError(problem.path.slice(1).replaceAll('/', '.') || '(root)', problem.message);
    const metadata = withDefaults as ClientMetadata;
    const ruleProblem = checkClientMetadata(metadata);
    if (ruleProblem) throw new ClientMetadataError(ruleProblem.field, ruleProblem.message);
    if (this.#configured.has(metadata.client_id)) {
      throw new ClientMetadataError('client_id', 'is already defined in the configuration file');
    }
    const registered = toRegistered(metadata, this.#secrets);
    const { scopes: _scopes, ...stored } = registered;
    await this.#store.put(namespace, metadata.client_id, JSON.parse(JSON.stringify(stored)));
    this.#cache.delete(metadata.client_id);
    return registered;
  }

  /** The stored record; one from before keyed hashing is rewritten keyed first (no secret needed). */
  async #readStored(clientId: string): Promise<StoredClient | undefined> {
    const entry = await this.#store.getEntry(namespace, clientId);
    const stored = entry?.value as StoredClient | undefined;
    const upgraded = stored?.secretHash === undefined ? undefined : this.#secrets.upgradeLegacy(stored.secretHash);
    if (!entry || !stored || upgraded === undefined) return stored;
    const rewritten = { ...stored, secretHash: upgraded };
    // A lost race means another instance rewrote it first, to the same value.
    await this.#store.compareAndSet(namespace, clientId, entry.version, rewritten as unknown as JsonValue);
    return rewritten;
  }

  async #rewriteSecretHash(clientId: string, from: string, to: string): Promise<void> {
    const entry = await this.#store.getEntry(namespace, clientId);
    const stored = entry?.value as StoredClient | undefined;
    if (!entry || stored?.secretHash !== from) return; // changed meanwhile (re-registered): leave it
    await this.#store.compareAndSet(namespace, clientId, entry.version, {
      ...stored,
      secretHash: to,
    } as unknown as JsonValue);
    this.#cache.delete(clientId);
  }
}

type StoredClient = Omit<RegisteredClient, 'scopes'>;

function toRegistered(metadata: ClientMetadata, secrets: ClientSecretHasher): RegisteredClient {
  const { client_secret: secret, ...rest } = metadata;
  return {
    ...rest,
    secretHash: secret === undefined ? undefined : secrets.hash(secret),
    isPublic: metadata.token_endpoint_auth_method === 'none',
    scopes: new Set(metadata.scope.split(' ')),
    name: metadata.client_name ?? metadata.client_id,
  };
}
