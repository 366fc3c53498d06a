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
  readonly #pending = new Set<Promise<void>>();

  constructor(options: BackchannelOptions) {
    this.#options = options;
  }

  /** Notifies every client of the session that registered a back-channel URI. */
  notify(clientIds: readonly string[], sub: string, sid: string): void {
    for (const clientId of new Set(clientIds)) {
      const sending = this.#notifyClient(clientId, sub, sid).catch(() => {
        // Signing failed (no active key?): the user's logout must not fail because of it.
        this.#options.events.emit('backchannel_logout_failed', { client_id: clientId, sub, reason: 'error' });
      });
      this.#pending.add(sending);
      void sending.finally(() => this.#pending.delete(sending));
    }
  }

  /** Resolves when every notification started so far has finished (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  async #notifyClient(clientId: string, sub: string, sid: string): Promise<void> {
    const client = await this.#options.clients.find(clientId);
    const uri = client?.backchannel_logout_uri;
    if (!uri) return;
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
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      try {
        const response = await this.#options.fetch(uri, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ logout_token: logoutToken }).toString(),
          redirect: 'manual',
          signal: AbortSignal.timeout(this.#options.timeoutMs),
        });
        await response.body?.cancel();
        // 4xx other than 429 means the client refused this token: retrying would not help.
        if (response.ok || (response.status >= 400 && response.status < 500 && response.status !== 429)) {
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
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
    }
    this.#options.events.emit('backchannel_logout_failed', { client_id: clientId, sub, reason: 'unreachable' });
  }
}
