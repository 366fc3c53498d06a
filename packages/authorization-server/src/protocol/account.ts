/** A user account as the provider keeps it. */
export interface Account {
  [key: string]: string | number | boolean | null;
  /** Stable subject identifier, never reused: `usr_` and 128 random bits. */
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string | null;
  /** Empty for an account made by an upstream sign-in: it has no password until one is set. */
  passwordHash: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  updatedAt: number;
  disabled: boolean;
}
