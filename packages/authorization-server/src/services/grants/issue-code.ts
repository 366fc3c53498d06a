import type { Store } from '@gatehouse/store';
import type { AuthorizationServerConfig } from '../../config/as-config.js';
import { randomToken, sha256 } from '../../primitives/random.js';
import type { AuthorizationRequest } from '../../protocol/authorization-request.js';
import type { GrantStore } from '../../stores/grant-store.js';
import type { LoadedSession, ProviderSessions } from '../../stores/provider-sessions.js';

/** What issuing an authorization code uses. */
export interface CodeIssuer {
  store: Pick<Store, 'put'>;
  grants: Pick<GrantStore, 'newGrantId'>;
  sessions: Pick<ProviderSessions, 'addClient'>;
  config: Pick<AuthorizationServerConfig, 'codeTtlSeconds'>;
}

/** An authorization code as stored (under the code's SHA-256), with everything the token endpoint checks. */
export interface CodeRecord {
  [key: string]: string | number | string[] | null;
  clientId: string;
  redirectUri: string;
  codeChallenge: string | null;
  nonce: string | null;
  scopes: string[];
  audience: string;
  sub: string;
  sid: string;
  authTime: number;
  amr: string[];
  /** The grant the code's tokens will belong to; known now, so a replay can revoke them. */
  grantId: string;
  /** Whether the request had `max_age` (then `auth_time` is required in the ID token; we always send it). */
  maxAgeSent: number;
}

/** How long a used code is remembered, so a replay is recognised and its tokens revoked. */
export const usedCodeMemorySeconds = 24 * 3600;

/** Issues a single-use code (256 bits, stored hashed, ≤ 60 s) bound to client, redirect URI and PKCE challenge. */
export async function issueCode(
  deps: CodeIssuer,
  request: AuthorizationRequest,
  session: LoadedSession,
): Promise<string> {
  const code = randomToken(32);
  const hash = sha256(code);
  const grantId = deps.grants.newGrantId();
  const record: CodeRecord = {
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge ?? null,
    nonce: request.nonce ?? null,
    scopes: request.scopes,
    audience: request.audience,
    sub: session.session.sub,
    sid: session.session.sid,
    authTime: session.session.authTime,
    amr: session.session.amr,
    grantId,
    maxAgeSent: request.maxAge === undefined ? 0 : 1,
  };
  await deps.store.put('code-grants', hash, grantId, { ttlSeconds: usedCodeMemorySeconds });
  await deps.store.put('codes', hash, record, { ttlSeconds: deps.config.codeTtlSeconds });
  await deps.sessions.addClient(session, request.clientId);
  return code;
}
