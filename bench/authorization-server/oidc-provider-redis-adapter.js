// A Redis adapter for oidc-provider, written for this benchmark to the adapter interface its docs
// describe (constructor(name); upsert, find, findByUid, findByUserCode, consume, destroy,
// revokeByGrantId), the way a deployment would write one: one ioredis client, one hash per stored
// model instance (`payload` JSON, `consumed` set by consume), one round trip per call where Redis
// allows it. Grant members sit in a set so revokeByGrantId ends a whole grant; the key prefix comes
// from the caller (one per benchmark run) so runs never share keys.
import Redis from 'ioredis';

/** Models whose instances belong to a grant (revokeByGrantId removes them). */
const grantMembers = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

const grantKey = (grantId) => `grant:${grantId}`;
const uidKey = (uid) => `sessionUid:${uid}`;
const userCodeKey = (userCode) => `userCode:${userCode}`;

/**
 * The adapter class for `new Provider(issuer, { adapter })`, on one ioredis client, and a `close()`
 * for the client.
 *
 * @param {string} redisUrl
 * @param {string} keyPrefix
 */
export function redisAdapter(redisUrl, keyPrefix) {
  const client = new Redis(redisUrl, { keyPrefix });
  // Marks an instance consumed only while it exists: HSET on an expired key would recreate it
  // without a TTL (and a consumed refresh token must stay findable, to detect its reuse).
  client.defineCommand('consumeIfPresent', {
    numberOfKeys: 1,
    lua: "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'consumed', ARGV[1]) end",
  });

  class RedisAdapter {
    /** @param {string} name the model: Session, AccessToken, RefreshToken, Grant, Interaction … */
    constructor(name) {
      this.name = name;
    }

    key(id) {
      return `${this.name}:${id}`;
    }

    /** Stores `payload` under `id` for `expiresIn` seconds (or without expiry), with its indexes. */
    async upsert(id, payload, expiresIn) {
      const key = this.key(id);
      const ttl = typeof expiresIn === 'number' && expiresIn > 0 ? Math.ceil(expiresIn) : undefined;
      const multi = client.multi();
      // A fresh hash: an upsert replaces the instance (and any old `consumed` mark) as a whole.
      multi.del(key);
      multi.hset(key, 'payload', JSON.stringify(payload));
      if (ttl) multi.expire(key, ttl);
      if (grantMembers.has(this.name) && payload.grantId) {
        multi.sadd(grantKey(payload.grantId), key);
        // The grant's set lives as long as its longest member (GT: only ever lengthened; NX: first TTL).
        if (ttl) {
          multi.expire(grantKey(payload.grantId), ttl, 'NX');
          multi.expire(grantKey(payload.grantId), ttl, 'GT');
        }
      }
      if (this.name === 'Session' && payload.uid) multi.set(uidKey(payload.uid), id, ...(ttl ? ['EX', ttl] : []));
      if (payload.userCode) multi.set(userCodeKey(payload.userCode), id, ...(ttl ? ['EX', ttl] : []));
      const results = await multi.exec();
      const failed = results?.find(([error]) => error);
      if (failed) throw failed[0];
    }

    /** The stored payload (with `consumed` when consumed), or undefined. */
    async find(id) {
      if (!id) return undefined;
      const [payload, consumed] = await client.hmget(this.key(id), 'payload', 'consumed');
      if (payload === null) return undefined;
      const found = JSON.parse(payload);
      if (consumed !== null) found.consumed = Number(consumed);
      return found;
    }

    async findByUid(uid) {
      return this.find(await client.get(uidKey(uid)));
    }

    async findByUserCode(userCode) {
      return this.find(await client.get(userCodeKey(userCode)));
    }

    async consume(id) {
      await client.consumeIfPresent(this.key(id), Math.floor(Date.now() / 1000));
    }

    async destroy(id) {
      await client.del(this.key(id));
    }

    /** Removes every instance of one grant. Keys in the set are unprefixed; ioredis prefixes DEL's. */
    async revokeByGrantId(grantId) {
      const members = await client.smembers(grantKey(grantId));
      await client.del(...members, grantKey(grantId));
    }
  }

  return { RedisAdapter, close: () => client.quit() };
}
