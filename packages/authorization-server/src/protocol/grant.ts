/**
 * What a user granted a client in one authorization: the root every refresh token and user access
 * token hangs from. Deleting it (code reuse, refresh reuse, revocation, logout) ends them all.
 */
export interface Grant {
  [key: string]: string | number | boolean | string[] | null;
  grantId: string;
  sub: string;
  clientId: string;
  scopes: string[];
  audience: string;
  /** Seconds since the epoch. */
  authTime: number;
  amr: string[];
  sid: string;
  /** Milliseconds since the epoch: the absolute end, never extended by rotation. */
  expiresAt: number;
  /** Granted with `offline_access`: survives the provider session's logout. */
  offline: boolean;
  revoked: boolean;
}
