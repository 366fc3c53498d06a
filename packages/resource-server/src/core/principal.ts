/** Who an access token speaks for, as the API sees it. */
export interface Principal {
  /** `user` when a person is behind the token; `client` for a client-credentials token. */
  kind: 'user' | 'client';
  issuer: string;
  /** The user (or, for `kind: 'client'`, the client) the token is about. */
  subject: string;
  /** The client the token was issued to (`client_id`, RFC 9068 §2.2). */
  clientId: string | undefined;
  scopes: ReadonlySet<string>;
  /** Every claim of the token, as issued. */
  claims: Readonly<Record<string, unknown>>;
}
