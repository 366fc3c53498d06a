import type { Store } from '@gatehouse/store';
import { Value } from '@sinclair/typebox/value';
import { type ClientMetadata, clientMetadataSchema } from '../config/client-metadata.js';
import { sha256 } from '../tokens/random.js';
import { checkClientMetadata } from './check-client-metadata.js';

/** A client as the server uses it: its metadata, with the secret replaced by its hash. */
export interface RegisteredClient extends Omit<ClientMetadata, 'client_secret'> {
  /** SHA-256 of the secret (base64url); undefined for clients without one. */
  secretHash: string | undefined;
  isPublic: boolean;
  scopes: ReadonlySet<string>;
  name: string;
}

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
 */
export class ClientRegistry {
  readonly #configured = new Map<string, RegisteredClient>();
  readonly #cache = new Map<string, { client: RegisteredClient | undefined; at: number }>();
  readonly #store: Store;
  readonly #now: () => number;

  constructor(configured: readonly ClientMetadata[], store: Store, now: () => number) {
    for (const client of configured) this.#configured.set(client.client_id, toRegistered(client));
    this.#store = store;
    this.#now = now;
  }

  async find(clientId: string): Promise<RegisteredClient | undefined> {
    const configured = this.#configured.get(clientId);
    if (configured) return configured;
    const cached = this.#cache.get(clientId);
    if (cached && this.#now() - cached.at < cacheMs) return cached.client;
    const stored = (await this.#store.get(namespace, clientId)) as StoredClient | undefined;
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
    const registered = toRegistered(metadata);
    const { scopes: _scopes, ...stored } = registered;
    await this.#store.put(namespace, metadata.client_id, JSON.parse(JSON.stringify(stored)));
    this.#cache.delete(metadata.client_id);
    return registered;
  }
}

type StoredClient = Omit<RegisteredClient, 'scopes'>;

function toRegistered(metadata: ClientMetadata): RegisteredClient {
  const { client_secret: secret, ...rest } = metadata;
  return {
    ...rest,
    secretHash: secret === undefined ? undefined : sha256(secret),
    isPublic: metadata.token_endpoint_auth_method === 'none',
    scopes: new Set(metadata.scope.split(' ')),
    name: metadata.client_name ?? metadata.client_id,
  };
}
