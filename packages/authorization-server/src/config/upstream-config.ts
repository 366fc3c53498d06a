import { ConfigError, isLoopbackHost, secretString } from '@gatehouse/config';
import { allowedAlgorithms, defaultSigningAlgorithm } from '@gatehouse/oidc-client';
import { type Static, Type } from '@sinclair/typebox';

const httpUrl = (description: string) => Type.String({ pattern: '^https?://[^\\s#]+$', description });
const scopeToken = Type.String({ pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' });

/** Which field of the profile API's JSON holds each account attribute (plain OAuth 2.0 upstreams). */
const claimMappingSchema = Type.Object(
  {
    /** The provider's stable user id. Default `id`. */
    sub: Type.String({ minLength: 1, default: 'id', description: 'the provider’s stable user id' }),
    /** Default `email`. */
    email: Type.String({ minLength: 1, default: 'email', description: 'the email address' }),
    /** A boolean field; without one, the email is treated as unverified. Default `email_verified`. */
    emailVerified: Type.String({
      minLength: 1,
      default: 'email_verified',
      description: 'a boolean: the email counts as verified only when it is true',
    }),
    /** Default `name`. */
    name: Type.String({ minLength: 1, default: 'name', description: 'the user’s name' }),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'which fields of the profile API’s JSON to read (type oauth2)',
  },
);

/**
 * A provider users may sign in with ("Continue with …"). The authorization server is its
 * confidential client: code + PKCE S256, `state`; `nonce`, `iss` and the ID token for OpenID providers.
 */
export const upstreamSchema = Type.Object(
  {
    /** Short id used in URLs, the profile page and `upstream:<name>`: lowercase letters, digits, dashes. */
    name: Type.String({
      pattern: '^[a-z][a-z0-9-]{0,31}$',
      description: 'lowercase letters, digits and dashes: used in URLs, on the profile page and in upstream:<name>',
    }),
    /** Shown on the button: "Continue with <displayName>". */
    displayName: Type.String({ minLength: 1, maxLength: 60, description: 'shown as "Continue with <displayName>"' }),
    /** `oidc`: found by discovery from `issuer`. `oauth2`: described by its endpoints and a profile URL. */
    type: Type.Union([Type.Literal('oidc'), Type.Literal('oauth2')], {
      description: 'oidc (discovery from issuer) or oauth2 (its endpoints and profile URL)',
    }),
    issuer: Type.Optional(httpUrl('the OpenID provider’s issuer (type oidc: required)')),
    authorizationEndpoint: Type.Optional(httpUrl('authorization endpoint (type oauth2: required)')),
    tokenEndpoint: Type.Optional(httpUrl('token endpoint (type oauth2: required)')),
    /** The API that answers who the user is (type oauth2), called with the new access token. */
    profileUrl: Type.Optional(httpUrl('the API that answers who the user is (type oauth2: required)')),
    claims: claimMappingSchema,
    clientId: Type.String({ minLength: 1, maxLength: 255, description: 'Gatehouse’s client id at the upstream' }),
    clientSecret: secretString({ minLength: 1, maxLength: 512, description: 'Gatehouse’s client secret there' }),
    /** Default `openid profile email` for OpenID providers, none for OAuth 2.0 ones. */
    scopes: Type.Optional(
      Type.Array(scopeToken, {
        description: 'what to ask the upstream for; when omitted, openid profile email (type oidc) or none (oauth2)',
      }),
    ),
    /** How the server authenticates at the upstream's token endpoint. Default `client_secret_basic`. */
    tokenEndpointAuthMethod: Type.Union([Type.Literal('client_secret_basic'), Type.Literal('client_secret_post')], {
      default: 'client_secret_basic',
      description: 'how Gatehouse authenticates at the upstream’s token endpoint',
    }),
    /**
     * Base URL of the upstream's API: server-side calls with the user's upstream token may go only
     * below it. Default none (no calls).
     */
    apiBaseUrl: Type.Optional(httpUrl('the upstream’s API: calls with the user’s upstream token go only below it')),
    /**
     * The upstream wants `appsecret_proof` (hex HMAC-SHA256 of the access token keyed with the client
     * secret) as a query parameter on API calls. Default false.
     */
    appsecretProof: Type.Boolean({
      default: false,
      description: 'add appsecret_proof to the profile call (type oauth2) and to API calls',
    }),
    /**
     * The one algorithm the upstream signs its ID tokens to this server with (type oidc): its
     * `id_token_signed_response_alg` for our registration. Any other is refused (the "wrong alg"
     * case of the OpenID RP tests). Default `RS256`, OpenID's default when a client registers none.
     */
    idTokenSigningAlg: Type.Union(
      allowedAlgorithms.map((alg) => Type.Literal(alg)),
      {
        default: defaultSigningAlgorithm,
        description: 'the one algorithm the upstream signs our ID tokens with (type oidc)',
      },
    ),
  },
  { additionalProperties: false },
);

export type UpstreamConfig = Static<typeof upstreamSchema>;

/**
 * Checks what the schema cannot: the fields each type needs, https outside loopback, unique names.
 * Throws a `ConfigError` naming the field.
 */
export function checkUpstreams(upstreams: readonly UpstreamConfig[], label: string): void {
  const names = new Set<string>();
  for (const [i, upstream] of upstreams.entries()) {
    const fail = (field: string, message: string): never => {
      throw new ConfigError(`${label}: upstreams.${i}.${field}: ${message}`, `upstreams.${i}.${field}`);
    };
    if (names.has(upstream.name)) fail('name', 'another upstream has the same name');
    names.add(upstream.name);
    const required = upstream.type === 'oidc' ? ['issuer'] : ['authorizationEndpoint', 'tokenEndpoint', 'profileUrl'];
    for (const field of required) {
      if (upstream[field as keyof UpstreamConfig] === undefined) fail(field, `is required for type ${upstream.type}`);
    }
    for (const field of ['issuer', 'authorizationEndpoint', 'tokenEndpoint', 'profileUrl', 'apiBaseUrl'] as const) {
      const value = upstream[field];
      if (value === undefined) continue;
      const url = new URL(value);
      if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
        fail(field, 'must use https (plain http only on localhost)');
      if (url.username || url.password) fail(field, 'must not carry credentials');
    }
  }
}
