import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisUrl, requireService, runScopedName } from '@gatehouse/test-kit';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/index.js';
import { describeStore } from './conformance.js';

// The suite's namespaces are t1, t2, …: odd ones go to Redis, even ones to SQLite, so every
// cross-namespace test (indexes, above all) spans both stores.
const ephemeralNamespaces = Array.from({ length: 200 }, (_, i) => `t${2 * i + 1}`);
const available = await requireService('Redis', redisUrl);

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-split-'));
const keyPrefix = `${runScopedName('gatehouse-test-')}:`;

describeStore(
  'split: SQLite durable + Redis ephemeral',
  available
    ? {
        open: () =>
          openStore(
            { durable: `sqlite:${join(folder, 'durable.db')}`, ephemeral: redisUrl },
            { keyPrefix, ephemeralNamespaces },
          ),
        persistent: true,
        cleanup: async () => {
          rmSync(folder, { recursive: true, force: true });
          const client = new Redis(redisUrl);
          const keys = await client.keys(`${keyPrefix}*`);
          if (keys.length > 0) await client.del(...keys);
          await client.quit();
        },
      }
    : undefined,
);

describe('openStore with { durable, ephemeral }', () => {
  it('refuses to guess which namespaces are ephemeral', async () => {
    await expect(openStore({ durable: 'memory', ephemeral: 'memory' })).rejects.toBeInstanceOf(TypeError);
  });

  it('puts each namespace in its own store and revokes an index across both', async () => {
    const store = await openStore({ durable: 'memory', ephemeral: 'memory' }, { ephemeralNamespaces: ['codes'] });
    expect(store.backend).toBe('split');
    await store.put('codes', 'c1', 1, { indexes: ['grant:g'] });
    await store.put('refresh_tokens', 'r1', 2, { indexes: ['grant:g'] });
    expect((await store.findByIndex('grant:g')).map((e) => e.namespace).sort()).toEqual(['codes', 'refresh_tokens']);
    expect(await store.deleteByIndex('grant:g')).toBe(2);
    expect(await store.countEntries()).toBe(0);
    await store.close();
  });
});
