// A runnable tour of the store: single-use codes, a grant index, a refresh lock and a rate limit.
// Run after `npm run build`:  node packages/store/examples/single-use-codes.js [STORE_URL]
// STORE_URL defaults to memory; try sqlite:/tmp/gatehouse-example.db or redis://127.0.0.1:6379.
import { randomBytes } from 'node:crypto';
import { openStore } from '@gatehouse/store';

const store = await openStore(process.argv[2] ?? 'memory');
const grant = `grant:${randomBytes(8).toString('hex')}`;

// An authorization code: 60 s, single use, filed under its grant.
const code = randomBytes(32).toString('base64url');
await store.put('codes', code, { clientId: 'demo-spa', sub: 'alice' }, { ttlSeconds: 60, indexes: [grant] });

// Twenty concurrent redemptions: exactly one gets the code.
const redemptions = await Promise.all(Array.from({ length: 20 }, () => store.take('codes', code)));
console.log(`redeemed ${redemptions.filter(Boolean).length} of 20 attempts`);

// Revoking the grant removes everything filed under it, in every namespace.
await store.put('refresh_tokens', randomBytes(32).toString('base64url'), { family: 1 }, { indexes: [grant] });
console.log(`revoked ${await store.deleteByIndex(grant)} entries of ${grant}`);

// One refresh per session at a time, across processes.
const lock = await store.acquireLock('refresh:session-1', 10);
console.log(
  `lock taken: ${lock !== undefined}; second attempt: ${(await store.acquireLock('refresh:session-1', 10)) !== undefined}`,
);
await lock?.release();

// Five failed logins per minute.
for (let attempt = 1; attempt <= 6; attempt += 1) {
  const { count } = await store.increment(`login-failures:alice-${grant}`, 60);
  if (count > 5) console.log(`attempt ${attempt}: rate limited`);
}
await store.close();
