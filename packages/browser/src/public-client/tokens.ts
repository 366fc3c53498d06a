import type { IdTokenClaims } from './id-token-claims.js';

/** A signed-in tab's tokens. */
export interface Tokens {
  accessToken: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  refreshToken: string | undefined;
  idToken: string;
  claims: IdTokenClaims;
}

/** Where a client keeps its tokens: this document's memory, never any storage (the browser-based-apps BCP). */
export interface TokenMemory {
  tokens: Tokens | undefined;
}
