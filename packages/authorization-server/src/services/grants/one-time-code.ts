import type { Store } from '@gatehouse/store';
import type { FastifyBaseLogger } from 'fastify';
import type { AuthorizationServerConfig } from '../../config/as-config.js';
import type { Params } from '../../primitives/params.js';
import { randomToken, sha256 } from '../../primitives/random.js';
import { createSealer, type Sealer } from '../../primitives/sealing.js';
import type { RegisteredClient } from '../../protocol/client-metadata.js';
import {
  InvalidGrantError,
  InvalidRequestError,
  InvalidScopeError,
  UnauthorizedClientError,
} from '../../protocol/errors.js';
import { oneTimeCodeGrantType } from '../../protocol/grant-types.js';
import type { ClientRegistry } from '../../stores/client-registry.js';
import type { AsSecurityEvents } from '../../telemetry/security-events.js';
import type { TokenResponse } from '../tokens/issue-user-tokens.js';
import type { LiveAccessTokenReader } from '../tokens/read-access-token.js';
import { readLiveAccessToken } from '../tokens/read-access-token.js';

/** What issuing and redeeming one-time codes uses. */
export type OneTimeCodeDeps = LiveAccessTokenReader & {
  clients: Pick<ClientRegistry, 'find'>;
  log: Pick<FastifyBaseLogger, 'warn'>;
  events: AsSecurityEvents;
};

/** Seconds a one-time code lives (SECURITY.md §3: 10 minutes). */
export const oneTimeCodeTtlSeconds = 600;

/** The single-use records, and a marker of each code issued that outlives its taking (to tell a replay). */
export const oneTimeCodeNamespaces = { codes: 'one-time-codes', issued: 'one-time-codes-issued' } as const;

interface OneTimeCodeRecord {
  [key: string]: string | number;
  /** The access token, sealed: a store dump must hold no usable token (SECURITY.md §1). */
  sealedToken: string;
  issuerClientId: string;
  audienceClientId: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export type TakenOneTimeCode =
  | { kind: 'taken'; token: string | undefined; issuerClientId: string; audienceClientId: string }
  /** Issued, unexpired, and already taken by somebody. */
  | { kind: 'replayed'; issuerClientId: string }
  /** Unknown or expired. */
  | { kind: 'invalid' };

/**
 * One-time codes: 256-bit random values stored as their SHA-256, each carrying one access token sealed
 * (AES-256-GCM, purpose `one-time-code`) for one redeeming client, for 10 minutes, taken atomically.
 */
export class OneTimeCodes {
  readonly #store: Store;
  readonly #sealer: Sealer;
  readonly #now: () => number;

  constructor(store: Store, sealer: Sealer, now: () => number) {
    this.#store = store;
    this.#sealer = sealer;
    this.#now = now;
  }

  async issue(token: string, issuerClientId: string, audienceClientId: string): Promise<string> {
    const code = randomToken(32);
    const hash = sha256(code);
    const options = { ttlSeconds: oneTimeCodeTtlSeconds };
    await this.#store.put(oneTimeCodeNamespaces.issued, hash, issuerClientId, options);
    const record: OneTimeCodeRecord = {
      sealedToken: this.#sealer.seal(token),
      issuerClientId,
      audienceClientId,
      expiresAt: this.#now() + oneTimeCodeTtlSeconds * 1000,
    };
    await this.#store.put(oneTimeCodeNamespaces.codes, hash, record, options);
    return code;
  }

  async take(code: string): Promise<TakenOneTimeCode> {
    if (code.length > 256) return { kind: 'invalid' };
    const hash = sha256(code);
    // Taken, not read: of concurrent redemptions exactly one may succeed (SECURITY.md §1).
    const record = await this.#store.take<OneTimeCodeRecord>(oneTimeCodeNamespaces.codes, hash);
    if (!record || record.expiresAt <= this.#now()) {
      const issuerClientId = await this.#store.get<string>(oneTimeCodeNamespaces.issued, hash);
      return issuerClientId !== undefined && record === undefined
        ? { kind: 'replayed', issuerClientId }
        : { kind: 'invalid' };
    }
    return {
      kind: 'taken',
      token: this.#sealer.open(record.sealedToken),
      issuerClientId: record.issuerClientId,
      audienceClientId: record.audienceClientId,
    };
  }
}

/** The codes of this server; every instance derives the same sealing key from `cookieSecrets`. */
export function createOneTimeCodes(deps: {
  store: Store;
  config: Pick<AuthorizationServerConfig, 'cookieSecrets'>;
  now: () => number;
}): OneTimeCodes {
  return new OneTimeCodes(deps.store, createSealer(deps.config.cookieSecrets, 'one-time-code'), deps.now);
}

/**
 * Issues a one-time code (`POST /one-time-code`): `issuer`, a confidential client, hands one of its own
 * live user access tokens to `audienceClientId`, the client that will redeem the code — which must
 * list the issuer in `one_time_code_issuers` and register the grant, or the issuer is
 * `unauthorized_client`. The token's scopes must be ones the redeemer may hold (`invalid_scope`).
 */
export async function issueOneTimeCode(
  deps: OneTimeCodeDeps,
  codes: OneTimeCodes,
  issuer: RegisteredClient,
  token: string,
  audienceClientId: string,
): Promise<{ code: string; expires_in: number }> {
  if (issuer.isPublic) throw new UnauthorizedClientError('one-time codes are issued to confidential clients only');
  const payload = await readLiveAccessToken(deps, token);
  if (!payload) throw new InvalidRequestError('token is not an active access token of this provider');
  if (payload.client_id !== issuer.client_id) throw new InvalidRequestError('token was issued to another client');
  // A client-credentials token is the server itself; a browser must never hold it.
  if (payload.sub === payload.client_id)
    throw new InvalidRequestError('token is a client credentials token; only user tokens are handed over');
  const audience = audienceClientId.length > 255 ? undefined : await deps.clients.find(audienceClientId);
  if (!audience || !mayRedeemFrom(audience, issuer.client_id)) {
    throw new UnauthorizedClientError(
      'audience_client_id does not accept one-time codes from this client',
      audience ? 'not in one_time_code_issuers, or the grant is not registered' : 'unknown audience client',
    );
  }
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
  const foreign = scopes.filter((scope) => !audience.scopes.has(scope));
  if (foreign.length > 0)
    throw new InvalidScopeError(`audience_client_id may not hold: ${foreign.join(' ').slice(0, 200)}`);
  return { code: await codes.issue(token, issuer.client_id, audience.client_id), expires_in: oneTimeCodeTtlSeconds };
}

/**
 * The one-time-code grant at `/token`: the code is taken (single use), must have been issued for this
 * client by an issuer it still lists, and its token must still be live. The answer is that same
 * token with its remaining lifetime; never a refresh or ID token. A replay is refused and logged.
 */
export async function redeemOneTimeCode(
  deps: OneTimeCodeDeps,
  codes: OneTimeCodes,
  client: RegisteredClient,
  params: Params,
): Promise<TokenResponse> {
  const code = params.get('code');
  if (!code) throw new InvalidRequestError('code is required');
  const taken = await codes.take(code);
  if (taken.kind === 'replayed') {
    deps.events.emit('one_time_code_replayed', { client_id: client.client_id, issuer_client_id: taken.issuerClientId });
    throw new InvalidGrantError('the code is invalid, expired or already used');
  }
  if (taken.kind === 'invalid') throw new InvalidGrantError('the code is invalid, expired or already used');
  // Checked after taking, so a code presented by the wrong client is spent, not left for another try.
  if (taken.audienceClientId !== client.client_id) {
    deps.log.warn(
      { clientId: client.client_id, audienceClientId: taken.audienceClientId },
      'one-time code presented by another client',
    );
    throw new InvalidGrantError('the code was issued for another client');
  }
  if (!mayRedeemFrom(client, taken.issuerClientId))
    throw new InvalidGrantError('this client no longer accepts one-time codes from their issuer');
  const payload = taken.token === undefined ? undefined : await readLiveAccessToken(deps, taken.token);
  if (!payload || taken.token === undefined)
    throw new InvalidGrantError('the token behind the code is no longer active');
  return {
    access_token: taken.token,
    token_type: 'Bearer',
    expires_in: Math.max(0, (payload.exp as number) - Math.floor(deps.now() / 1000)),
    scope: typeof payload.scope === 'string' ? payload.scope : '',
  };
}

/** Whether `client` redeems one-time codes issued by `issuerClientId` (the app's client ids bound together). */
function mayRedeemFrom(client: RegisteredClient, issuerClientId: string): boolean {
  // Stored clients registered before these fields existed have neither.
  const issuers: readonly string[] = client.one_time_code_issuers ?? [];
  return issuers.includes(issuerClientId) && (client.grant_types as readonly string[]).includes(oneTimeCodeGrantType);
}
