import { setTimeout as sleep } from 'node:timers/promises';
import { SignJWT } from 'jose';
import { randomToken } from '../../primitives/random.js';
import { idTokenAlg } from '../../protocol/signing-algorithms.js';
import type { ClientRegistry } from '../../stores/client-registry.js';
import type { KeyRing } from '../../stores/key-ring.js';
import type { AsSecurityEvents } from '../../telemetry/security-events.js';

export interface BackchannelOptions {
  issuer: string;
  keys: KeyRing;
  clients: ClientRegistry;
  now: () => number;
  fetch: typeof fetch;
  timeoutMs: number;
  /** Each delivery and each failure is a security event. */
  events: AsSecurityEvents;
  /** Attempts per client, with a growing pause between them. Default 3. */
  attempts?: number;
  /**
   * The server's stop (its `app.lifecycle`): no retry starts once it is stopping, a pause before one
   * ends when the listener closes, and every attempt is aborted at the drain timeout. Without it,
   * deliveries run to their last attempt.
   */
  shutdown?: BackchannelShutdown;
}

/** What the sender needs of the server's lifecycle (`ServerLifecycle` has it). */
export interface BackchannelShutdown {
  readonly isStopping: boolean;
  readonly closingSignal: AbortSignal;
  readonly drainSignal: AbortSignal;
}

/** One client's notification, finished (with one event) at most once. */
interface Delivery {
  readonly clientId: string;
  readonly sub: string;
  finished: boolean;
}

const event = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * OpenID Back-Channel Logout sender: a signed `logout_token` (`typ: logout+jwt`, `iss`, `aud`,
 * `iat`, a 2-minute `exp`, a unique `jti`, the `events` member, `sid` and `sub`, never a `nonce`)
 * POSTed form-encoded to each client's `backchannel_logout_uri`, with bounded retries and timeouts.
 * Runs in the background: the user's logout never waits for, or fails because of, a client.
 */
export class BackchannelLogout {
  readonly #options: BackchannelOptions;
  readonly #pending = new Map<Promise<void>, Delivery>();

  constructor(options: BackchannelOptions) {
    this.#options = options;
  }

  /** Notifies every client of the session that registered a back-channel URI. */
  notify(clientIds: readonly string[], sub: string, sid: string): void {
    for (const clientId of new Set(clientIds)) {
      const delivery: Delivery = { clientId, sub, finished: false };
      const sending = this.#notifyClient(delivery, sid).catch(() => {
        // Signing failed (no active key?): the user's logout must not fail because of it.
        this.#fail(delivery, 'error');
      });
      this.#pending.set(sending, delivery);
      void sending.finally(() => this.#pending.delete(sending));
    }
  }

  /**
   * Resolves when every notification started so far has finished (tests, shutdown) — or, with
   * `bound`, when it aborts (the drain timeout): the deliveries still running are then abandoned,
   * each logged as `backchannel_logout_failed` with reason `unreachable`.
   */
  async settled(bound?: AbortSignal): Promise<void> {
    const all = Promise.all([...this.#pending.keys()]);
    if (!bound) {
      await all;
      return;
    }
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<void>((resolve) => {
      onAbort = () => resolve();
      if (bound.aborted) resolve();
      else bound.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([all, aborted]);
    } finally {
      if (onAbort) bound.removeEventListener('abort', onAbort);
    }
    if (!bound.aborted) return;
    for (const delivery of this.#pending.values()) this.#fail(delivery, 'unreachable');
  }

  /** The delivery's one failure event; nothing if it already finished (delivered, refused, abandoned). */
  #fail(delivery: Delivery, reason: 'unreachable' | 'error'): void {
    if (delivery.finished) return;
    delivery.finished = true;
    this.#options.events.emit('backchannel_logout_failed', { client_id: delivery.clientId, sub: delivery.sub, reason });
  }

  async #notifyClient(delivery: Delivery, sid: string): Promise<void> {
    const { clientId, sub } = delivery;
    const client = await this.#options.clients.find(clientId);
    const uri = client?.backchannel_logout_uri;
    if (!uri) {
      delivery.finished = true;
      return;
    }
    const { kid, key } = await this.#options.keys.signingKey(idTokenAlg);
    const iat = Math.floor(this.#options.now() / 1000);
    const logoutToken = await new SignJWT({ events: { [event]: {} }, sid })
      .setProtectedHeader({ alg: idTokenAlg, kid, typ: 'logout+jwt' })
      .setIssuer(this.#options.issuer)
      .setSubject(sub)
      .setAudience(clientId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 120)
      .setJti(randomToken(18))
      .sign(key);
    const attempts = this.#options.attempts ?? 3;
    const shutdown = this.#options.shutdown;
    for (let attempt = 1; attempt <= attempts && !shutdown?.drainSignal.aborted; attempt += 1) {
      if (delivery.finished) return;
      const timeout = AbortSignal.timeout(this.#options.timeoutMs);
      try {
        const response = await this.#options.fetch(uri, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ logout_token: logoutToken }).toString(),
          redirect: 'manual',
          // The per-attempt timeout, and the drain timeout of a server that is stopping.
          signal: shutdown ? AbortSignal.any([timeout, shutdown.drainSignal]) : timeout,
        });
        await response.body?.cancel();
        // 4xx other than 429 means the client refused this token: retrying would not help.
        if (response.ok || (response.status >= 400 && response.status < 500 && response.status !== 429)) {
          if (delivery.finished) return;
          delivery.finished = true;
          if (response.ok) this.#options.events.emit('backchannel_logout_sent', { client_id: clientId, sub });
          else {
            const refused = { client_id: clientId, sub, reason: 'refused', status: response.status } as const;
            this.#options.events.emit('backchannel_logout_failed', refused);
          }
          return;
        }
      } catch {
        // Network failure or timeout: try again after a pause.
      }
      // A stopping server starts no retry: the delivery is given up (and logged) now.
      if (attempt >= attempts || shutdown?.isStopping) break;
      await sleep(250 * 2 ** attempt, undefined, shutdown ? { signal: shutdown.closingSignal } : {}).catch(
        () => undefined,
      );
      if (shutdown?.isStopping) break;
    }
    this.#fail(delivery, 'unreachable');
  }
}
