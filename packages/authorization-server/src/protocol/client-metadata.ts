import { secretString } from '@gatehouse/config';
import { type Static, Type } from '@sinclair/typebox';

const scopeToken = '[\\x21\\x23-\\x5B\\x5D-\\x7E]+';

/** A registered client, in RFC 7591 / OpenID Dynamic Registration metadata names. */
export const clientMetadataSchema = Type.Object(
  {
    client_id: Type.String({
      pattern: '^[\\x21-\\x7E]{1,255}$',
      description: 'printable ASCII, no spaces, not starting with usr_',
    }),
    /** Absent for public clients (`token_endpoint_auth_method: none` or `private_key_jwt`). */
    client_secret: Type.Optional(
      secretString({
        pattern: '^[\\x20-\\x7E]{32,512}$',
        description: 'at least 32 printable ASCII characters, kept as a keyed hash; for client_secret_basic and _post',
      }),
    ),
    client_name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'shown on the consent page' })),
    redirect_uris: Type.Array(Type.String({ minLength: 1, maxLength: 2000 }), {
      default: [],
      description: 'absolute, no fragment, wildcard or user info; http only on localhost',
    }),
    post_logout_redirect_uris: Type.Array(Type.String({ minLength: 1, maxLength: 2000 }), {
      default: [],
      description: 'where logout may send the browser back to; the same rules as redirect_uris',
    }),
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
      {
        default: ['authorization_code'],
        description: 'the grants the client may use; client_credentials and token exchange not by a public client',
      },
    ),
    /** `code`; the legacy implicit `token` and `id_token token` need the `implicit` grant. Default `code`. */
    response_types: Type.Array(
      Type.Union([Type.Literal('code'), Type.Literal('token'), Type.Literal('id_token token')]),
      { default: ['code'], description: 'code; token and id_token token need the implicit grant' },
    ),
    token_endpoint_auth_method: Type.Union(
      [
        Type.Literal('client_secret_basic'),
        Type.Literal('client_secret_post'),
        Type.Literal('private_key_jwt'),
        Type.Literal('none'),
      ],
      {
        default: 'client_secret_basic',
        description: 'how the client authenticates; none for a public client, private_key_jwt with jwks',
      },
    ),
    scope: Type.String({
      pattern: `^${scopeToken}( ${scopeToken})*$`,
      default: 'openid',
      description: 'the scopes the client may request, space-separated',
    }),
    /** For `private_key_jwt`: the client's public keys. */
    jwks: Type.Optional(
      Type.Object(
        { keys: Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'the public keys, as JWKs' }) },
        { description: 'the client’s public keys, for private_key_jwt' },
      ),
    ),
    backchannel_logout_uri: Type.Optional(
      Type.String({ minLength: 1, maxLength: 2000, description: 'receives logout tokens (back-channel logout)' }),
    ),
    backchannel_logout_session_required: Type.Boolean({
      default: true,
      description: 'accepted as registered; logout tokens always carry sid',
    }),
    /** Origins allowed to call the token endpoint from a browser (public clients only). */
    allowed_cors_origins: Type.Array(Type.String({ pattern: '^https?://[^/?#\\s]+$' }), {
      default: [],
      description: 'browser origins allowed to call /token (public clients)',
    }),
    /** A first-party client: consent is not asked (except for `offline_access`). Default false. */
    skip_consent: Type.Boolean({
      default: false,
      description: 'first-party app: no consent page, except that offline_access is always asked',
    }),
    /**
     * Token exchange gives this (confidential) client tokens lasting `longLivedTokenTtlSeconds` instead of
     * `accessTokenTtlSeconds`. Default false.
     */
    long_lived_tokens: Type.Boolean({
      default: false,
      description: 'token exchange gives longLivedTokenTtlSeconds tokens, not accessTokenTtlSeconds ones',
    }),
    /**
     * The confidential clients (of the same app) allowed to issue one-time codes this client redeems
     * at `/token`. Default none.
     */
    one_time_code_issuers: Type.Array(Type.String({ pattern: '^[\\x21-\\x7E]{1,255}$' }), {
      default: [],
      description: 'client ids whose one-time codes this client redeems',
    }),
    /**
     * Upstream providers whose tokens this confidential client may obtain for its users by token
     * exchange (`audience=upstream:<name>`), to call their APIs. Default none.
     */
    upstream_tokens: Type.Array(Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' }), {
      default: [],
      description: 'upstreams whose user tokens token exchange gives this client (audience=upstream:<name>)',
    }),
    /**
     * The APIs (RFC 8707 resources, each one of the provider's `resources`) this client may ask tokens
     * for, beside the provider's default API (the first of `resources`), which every client may. Default none.
     */
    resources: Type.Array(Type.String({ pattern: '^https?://[^#\\s]+$', maxLength: 2000 }), {
      default: [],
      description: 'APIs beside the default one this client may get tokens for; each one of the provider’s resources',
    }),
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
