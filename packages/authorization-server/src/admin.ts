import { openStore, type Store } from '@gatehouse/store';
import { ephemeralNamespaces } from './app.js';
import { checkNewPassword } from './checks/password-policy.js';
import type { AuthorizationServerConfig } from './config/as-config.js';
import { createSealer } from './primitives/sealing.js';
import type { RegisteredClient } from './protocol/client-metadata.js';
import { idTokenAlg, type SigningAlg } from './protocol/signing-algorithms.js';
import { AccountStore } from './stores/account-store.js';
import { ClientRegistry } from './stores/client-registry.js';
import { KeyRing } from './stores/key-ring.js';

/** A refused administrative change (a taken email, a weak password); the message is one line for the user. */
export class AdminError extends Error {
  override readonly name = 'AdminError';
}

/** Administrative operations on a server's store, for the CLI: the same rules as the running server. */
export interface AuthorizationServerAdmin {
  addUser(input: { email: string; password: string; name?: string | undefined }): Promise<{ sub: string }>;
  /** Registers a client from RFC 7591 metadata; throws `ClientMetadataError` naming the field. */
  addClient(metadata: unknown): Promise<RegisteredClient>;
  /** Adds new signing keys; returns their `kid`s and when they start signing. */
  rotateKeys(): Promise<{ kids: string[]; activatesAt: Date }>;
  close(): Promise<void>;
}

/** Opens the configured store for administration. Close it when done. */
export async function openAuthorizationServerAdmin(
  config: Readonly<AuthorizationServerConfig>,
  deps: { store?: Store; now?: () => number } = {},
): Promise<AuthorizationServerAdmin> {
  const store = deps.store ?? (await openStore(config.store, { ephemeralNamespaces, migrate: config.storeMigration }));
  const now = deps.now ?? Date.now;
  const algs: SigningAlg[] = [config.accessTokenSigningAlg, idTokenAlg];
  return {
    async addUser(input) {
      const problem = checkNewPassword(input.password, input.email);
      if (problem) throw new AdminError(`password: ${problem}`);
      if (!/^[^\s@]{1,64}@[^\s@]{1,189}\.[^\s@]{1,63}$/.test(input.email))
        throw new AdminError('email: not a valid address');
      const account = await new AccountStore(store, now).create({ ...input, emailVerified: true });
      if (!account) throw new AdminError(`email: an account with ${input.email} already exists`);
      return { sub: account.sub };
    },
    addClient(metadata) {
      return new ClientRegistry(config.clients, store, now, config.cookieSecrets).register(metadata);
    },
    async rotateKeys() {
      const keys = new KeyRing(store, createSealer(config.cookieSecrets, 'signing-keys'), algs, now);
      await keys.initialize();
      // The replaced keys stay published until the longest-lived token they may have signed expires.
      const retain = Math.max(config.accessTokenTtlSeconds, config.idTokenTtlSeconds, config.longLivedTokenTtlSeconds);
      const kids = await keys.rotate(config.keyActivationDelaySeconds, retain);
      return { kids, activatesAt: new Date(now() + config.keyActivationDelaySeconds * 1000) };
    },
    async close() {
      if (!deps.store) await store.close();
    },
  };
}
