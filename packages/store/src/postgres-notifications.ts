import { createHash } from 'node:crypto';
import type pg from 'pg';
import { StoreUnavailableError } from './errors.js';
import type { StoreNotifications } from './store.js';

export interface PostgresNotificationOptions {
  /** Opens the connection that listens; it is not from the pool (a LISTEN lasts as long as it does). */
  connect: () => pg.Client;
  /** Sends one NOTIFY, through the store's pool. */
  notify: (pgChannel: string, payload: string) => Promise<void>;
  /** Schema the store uses: stores on other schemas of one database do not hear each other. */
  schema: string;
  /** How often the listening connection is checked, in milliseconds; a dead one is replaced. */
  heartbeatMs?: number;
}

/**
 * PostgreSQL LISTEN/NOTIFY under one channel per schema. Gatehouse's channel and message travel in
 * the payload (`["channel","message"]`), because a PostgreSQL channel is an identifier of at most 63
 * bytes and ours are up to 512 characters. One connection of its own listens, opened on first use;
 * it reconnects by itself, and every drop or return is reported as an interruption, because a
 * NOTIFY sent while nobody listened is lost. A heartbeat query finds a connection that died quietly.
 */
export function postgresNotifications(options: PostgresNotificationOptions): StoreNotifications & { close(): void } {
  const pgChannel = `gatehouse_${createHash('sha256').update(options.schema).digest('hex').slice(0, 24)}`;
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  const listeners = new Map<string, Set<(message: string) => void>>();
  const interruptions = new Set<() => void>();
  let client: pg.Client | undefined;
  let ready = false;
  let closed = false;
  let attempt = 0;
  let connecting: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;

  const interrupted = () => {
    for (const onInterrupted of interruptions) onInterrupted();
  };

  function dispatch(payload: string | undefined): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload ?? '');
    } catch {
      return; // not ours
    }
    if (!Array.isArray(parsed) || typeof parsed[0] !== 'string' || typeof parsed[1] !== 'string') return;
    for (const listener of listeners.get(parsed[0]) ?? []) listener(parsed[1]);
  }

  function lost(connection: pg.Client): void {
    if (connection !== client) return;
    client = undefined;
    clearInterval(heartbeat);
    connection.end().catch(() => undefined);
    if (ready) interrupted();
    ready = false;
    if (!closed) scheduleReconnect();
  }

  function scheduleReconnect(): void {
    // Nobody listening: the next subscribe connects again.
    if (retryTimer || closed || listeners.size === 0) return;
    attempt += 1;
    retryTimer = setTimeout(
      () => {
        retryTimer = undefined;
        listen().catch(() => undefined);
      },
      Math.min(attempt * 100, 2_000),
    );
    retryTimer.unref();
  }

  function listen(): Promise<void> {
    connecting ??= (async () => {
      const connection = options.connect();
      connection.on('error', () => lost(connection));
      connection.on('end', () => lost(connection));
      connection.on('notification', (notification) => {
        if (notification.channel === pgChannel) dispatch(notification.payload);
      });
      client = connection;
      try {
        await connection.connect();
        await connection.query(`LISTEN "${pgChannel}"`);
      } catch (error) {
        lost(connection);
        throw new StoreUnavailableError('PostgreSQL is unavailable', { cause: error });
      }
      if (closed) {
        await connection.end().catch(() => undefined);
        return;
      }
      attempt = 0;
      ready = true;
      heartbeat = setInterval(() => {
        connection.query('SELECT 1').catch(() => lost(connection));
      }, heartbeatMs);
      heartbeat.unref();
      // Anything sent before this LISTEN was not heard: subscribers reload.
      interrupted();
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  }

  return {
    get connected() {
      return ready && !closed;
    },
    async publish(channel, message) {
      await options.notify(pgChannel, JSON.stringify([channel, message]));
    },
    async subscribe(channel, listener, onInterrupted) {
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set);
      set.add(listener);
      interruptions.add(onInterrupted);
      const unsubscribe = async () => {
        set.delete(listener);
        interruptions.delete(onInterrupted);
        if (set.size === 0) listeners.delete(channel);
      };
      if (!ready) {
        try {
          await listen();
        } catch (error) {
          await unsubscribe();
          throw error;
        }
      }
      return unsubscribe;
    },
    close() {
      closed = true;
      ready = false;
      clearTimeout(retryTimer);
      clearInterval(heartbeat);
      client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}
