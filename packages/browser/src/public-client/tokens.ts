import type { IdTokenClaims } from './id-token-claims.js';

/** An access token and when it expires (milliseconds since the epoch). */
export interface AccessToken {
  accessToken: string;
  expiresAt: number;
}

/** A signed-in tab's tokens. */
export interface Tokens extends AccessToken {
  refreshToken: string | undefined;
  idToken: string;
  claims: IdTokenClaims;
  /**
   * The scopes the access token (and the refresh token) carry: the token response's `scope`, else
   * those asked for (RFC 6749 §5.1). Absent from tokens kept by earlier versions.
   */
  scopes?: readonly string[];
  /**
   * Access tokens for narrower scope sets, by their scopes sorted and space-joined: each got with the
   * refresh token and that `scope` (RFC 6749 §6). Dropped with the tokens they came from.
   */
  narrowed?: Readonly<Record<string, AccessToken>>;
}

/** Where a client keeps its tokens: this document's memory, never any storage (the browser-based-apps BCP). */
export interface TokenMemory {
  tokens: Tokens | undefined;
}
