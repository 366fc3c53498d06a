import { createHash, createHmac } from 'node:crypto';
import { openMemoryStore, type Store } from '@gatehouse/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientSecretHasher } from '../../src/primitives/client-secret-hash.js';
import { ClientRegistry } from '../../src/stores/client-registry.js';

const oldKey = 'the-old-cookie-secret-0123456789abcdef';
const newKey = 'the-new-cookie-secret-0123456789abcdef';
const secret = 'an admin-chosen secret of 32 or more chars';
const bareSha256 = createHash('sha256').update(secret).digest('base64url');

describe('ClientSecretHasher', () => {
  const hasher = new ClientSecretHasher([newKey, oldKey]);

  it('matches the secret it hashed, and nothing else', () => {
    const stored = hasher.hash(secret);
    expect(hasher.verify(secret, stored)).toBe('current');
    expect(hasher.verify(`${secret} `, stored)).toBe('no-match');
    expect(hasher.verify(secret, stored.slice(0, -1))).toBe('no-match');
  });

  it('keeps no unkeyed digest, and no MAC under the cookie secret itself', () => {
    const stored = hasher.hash(secret);
    expect(stored).not.toContain(bareSha256);
    expect(stored).not.toContain(createHmac('sha256', newKey).update(secret).digest('base64url'));
    expect(new ClientSecretHasher([oldKey]).hash(secret)).not.toBe(stored);
  });

  it('matches a hash made under a rotated-out key as outdated, and not once that key is gone', () => {
    const underOld = new ClientSecretHasher([oldKey]).hash(secret);
    expect(hasher.verify(secret, underOld)).toBe('outdated');
    expect(new ClientSecretHasher([newKey]).verify(secret, underOld)).toBe('no-match');
  });

  it('converts an older version’s bare SHA-256 to the current keyed hash without the secret', () => {
    expect(hasher.upgradeLegacy(bareSha256)).toBe(hasher.hash(secret));
    expect(hasher.upgradeLegacy(hasher.hash(secret))).toBeUndefined();
    expect(hasher.verify(secret, bareSha256)).toBe('outdated');
  });
});

describe('ClientRegistry secrets at rest', () => {
  let store: Store;
  beforeEach(() => {
    store = openMemoryStore();
  });
  afterEach(() => store.close());

  async function found(registry: ClientRegistry) {
    const client = await registry.find('batch');
    if (!client) throw new Error('the client is not registered');
    return client;
  }
  const metadata = { client_id: 'batch', client_secret: secret, grant_types: ['client_credentials'], scope: 'api' };

  it('rewrites a hash made under a rotated-out key when its client authenticates', async () => {
    await new ClientRegistry([], store, () => 0, [oldKey]).register(metadata);
    const rotated = new ClientRegistry([], store, () => 0, [newKey, oldKey]);
    expect(await rotated.verifySecret(await found(rotated), secret)).toBe(true);
    // The old key may now be dropped.
    const afterRotation = new ClientRegistry([], store, () => 0, [newKey]);
    expect(await afterRotation.verifySecret(await found(afterRotation), secret)).toBe(true);
  });

  it('rewrites an older version’s bare SHA-256 keyed the first time the client is looked up', async () => {
    const registry = new ClientRegistry([], store, () => 0, [newKey]);
    await registry.register(metadata);
    const record = (await store.get('clients', 'batch')) as Record<string, unknown>;
    await store.put('clients', 'batch', { ...record, secretHash: bareSha256 });
    const fresh = new ClientRegistry([], store, () => 0, [newKey]);
    const client = await found(fresh);
    expect(JSON.stringify(await store.get('clients', 'batch'))).not.toContain(bareSha256);
    expect(await fresh.verifySecret(client, secret)).toBe(true);
    expect(await fresh.verifySecret(client, 'another secret of thirty-two characters')).toBe(false);
  });
});
