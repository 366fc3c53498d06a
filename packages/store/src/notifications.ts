import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { StoreNotifications } from './store.js';

/** Notifications within one process: the memory store's users are all in it. */
export function inProcessNotifications(): StoreNotifications {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    connected: true,
    async publish(channel, message) {
      emitter.emit(channel, message);
    },
    async subscribe(channel, listener) {
      emitter.on(channel, listener);
      return async () => {
        emitter.off(channel, listener);
      };
    },
  };
}

/**
 * Redis pub/sub under the store's key prefix. Subscriptions use a connection of their own (a
 * subscribed connection can run no other command), opened on first use; it reconnects and
 * resubscribes by itself, and every drop or return is reported as an interruption, because messages
 * published meanwhile are lost.
 */
export function redisNotifications(
  client: { duplicate(): Redis; publish(channel: string, message: string): Promise<number> },
  prefix: string,
): StoreNotifications & { close(): void } {
  let subscriber: Redis | undefined;
  let ready = false;
  const listeners = new Map<string, Set<(message: string) => void>>();
  const interruptions = new Set<() => void>();
  const interrupted = () => {
    for (const onInterrupted of interruptions) onInterrupted();
  };

  function connect(): Redis {
    if (subscriber) return subscriber;
    const connection = client.duplicate();
    connection.on('error', () => undefined);
    connection.on('ready', () => {
      ready = true;
      interrupted();
    });
    connection.on('close', () => {
      if (ready) interrupted();
      ready = false;
    });
    connection.on('message', (channel: string, message: string) => {
      for (const listener of listeners.get(channel) ?? []) listener(message);
    });
    subscriber = connection;
    return connection;
  }

  return {
    get connected() {
      return ready;
    },
    async publish(channel, message) {
      await client.publish(`${prefix}${channel}`, message);
    },
    async subscribe(channel, listener, onInterrupted) {
      const connection = connect();
      const name = `${prefix}${channel}`;
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      set.add(listener);
      interruptions.add(onInterrupted);
      if (connection.status === 'wait') await connection.connect();
      await connection.subscribe(name);
      return async () => {
        set.delete(listener);
        interruptions.delete(onInterrupted);
        if (set.size === 0) {
          listeners.delete(name);
          await connection.unsubscribe(name).catch(() => undefined);
        }
      };
    },
    close() {
      subscriber?.disconnect();
    },
  };
}
