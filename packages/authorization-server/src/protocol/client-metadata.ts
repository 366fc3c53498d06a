import { type Static, Type } from '@sinclair/typebox';

const scopeToken = '[\\x21\\x23-\\x5B\\x5D-\\x7E]+';

/** A registered client, in RFC 7591 / OpenID Dynamic Registration metadata names. */
export const clientMetadataSchema = Type.Object(
  {
    client_id: Type.String({ pattern: '^[\\x21-\\x7E]{1,255}$', description: 'printable ASCII, no spaces' }),
    /** Absent for public clients (`token_endpoint_auth_method: none` or `private_key_jwt`). */
    client_secret: Type.Optional(
      Type.String({ pattern: '^[\\x20-\\x7E]{32,512}$', description: 'at least 32 printable ASCII characters' }),
    ),
    client_name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    redirect_uris: Type.Array(Type.String({ minLength: 1, maxLength: 2000 }), { default: [] }),
    post_logout_redirect_uris: Type.Array(Type.String({ minLength: 1, maxLength: 2000 }), { default: [] }),
    grant_types: Type.Array(
      Type.Union([
        Type.Literal('authorization_code'),
        Type.Literal('refresh_token'),
        Type.Literal('client_credentials'),
        // RFC 8693; confidential clients only (see checkClientMetadata).
        Type.Literal('urn:ietf:params:oauth:grant-type:token-exchange'),
        // Ours: redeeming a one-time code for a long-lived token (POST /one-time-code issues them).
        Type.Literal('urn:gatehouse:params:oauth:grant-type:one-time-code'),
        // Legacy, opt-in: tokens straight from /authorize (response_types token, id_token token).
        Type.Literal('implicit'),
      ]),
      { default: ['authorization_code'] },
    ),
    /** `code`; the legacy implicit `token` and `id_token token` need the `implicit` grant. Default `code`. */
    response_types: Type.Array(
      Type.Union([Type.Literal('code'), Type.Literal('token'), Type.Literal('id_token token')]),
      { default: ['code'] },
    ),
    token_endpoint_auth_method: Type.Union(
      [
        Type.Literal('client_secret_basic'),
        Type.Literal('client_secret_post'),
        Type.Literal('private_key_jwt'),
        Type.Literal('none'),
      ],
      { default: 'client_secret_basic' },
    ),
    scope: Type.String({ pattern: `^${scopeToken}( ${scopeToken})*$`, default: 'openid' }),
    /** For `private_key_jwt`: the client's public keys. */
    jwks: Type.Optional(Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) })),
    backchannel_logout_uri: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    backchannel_logout_session_required: Type.Boolean({ default: true }),
    /** Origins allowed to call the token endpoint from a browser (public clients only). */
    allowed_cors_origins: Type.Array(Type.String({ pattern: '^https?://[^/?#\\s]+$' }), { default: [] }),
    /** A first-party client: consent is not asked (except for `offline_access`). Default false. */
    skip_consent: Type.Boolean({ default: false }),
    /**
     * Token exchange gives this (confidential) client tokens lasting `longLivedTokenTtlSeconds` instead of
     * `accessTokenTtlSeconds`. Default false.
     */
    long_lived_tokens: Type.Boolean({ default: false }),
    /**
     * The confidential clients (of the same app) allowed to issue one-time codes this client redeems
     * at `/token`. Default none.
     */
    one_time_code_issuers: Type.Array(Type.String({ pattern: '^[\\x21-\\x7E]{1,255}$' }), { default: [] }),
    /**
     * Upstream providers whose tokens this confidential client may obtain for its users by token
     * exchange (`audience=upstream:<name>`), to call their APIs. Default none.
     */
    upstream_tokens: Type.Array(Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' }), { default: [] }),
    /**
     * The APIs (RFC 8707 resources, each one of the provider's `resources`) this client may ask tokens
     * for, beside the provider's default API (the first of `resources`), which every client may. Default none.
     */
    resources: Type.Array(Type.String({ pattern: '^https?://[^#\\s]+$', maxLength: 2000 }), { default: [] }),
  },
  { additionalProperties: false },
);

export type ClientMetadata = Static<typeof clientMetadataSchema>;

/** A client as the server uses it: its metadata, with the secret replaced by its keyed hash. */
export interface RegisteredClient extends Omit<ClientMetadata, 'client_secret'> {
  /** The secret's keyed hash (see `ClientSecretHasher`); undefined for clients without one. */
  secretHash: string | undefined;
  isPublic: boolean;
  scopes: ReadonlySet<string>;
  name: string;
}
