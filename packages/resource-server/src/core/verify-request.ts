import { isValidAppSecretProof } from './appsecret-proof.js';
import { BearerError } from './bearer-error.js';
import { type IntrospectionOptions, Introspector } from './introspect.js';
import { type Fetch, JwksCache } from './jwks-cache.js';
import type { Principal } from './principal.js';
import { readBearerToken } from './read-bearer-token.js';
import { checkScopes, type ScopeRequirement } from './scopes.js';
import { VerifiedTokenCache } from './verified-token-cache.js';
import { type JwtAccessTokenRules, verifyJwtAccessToken } from './verify-jwt-access-token.js';

export interface RequestVerifierOptions extends JwtAccessTokenRules {
  /** The JWKS URL; found by discovery from `issuer` when omitted. */
  jwksUri?: string;
  /** At most one JWKS refetch per this many seconds for unknown `kid`s. Default 30. */
  jwksCooldownSeconds?: number;
  /**
   * Require `appsecret_proof` on every call, computed with the secret of the token's `client_id`.
   * Calls whose client has no secret listed here are refused too.
   */
  appsecretProof?: { required: boolean; clientSecrets: Readonly<Record<string, string>> };
  /** The `WWW-Authenticate` realm. Default `api`. */
  realm?: string;
  /**
   * Remember verified tokens so repeated calls skip the signature check: at most `maxEntries`
   * (default 10 000; 0 turns it off), each for at most `maxAgeSeconds` (default 60) and never past
   * the token's `exp`.
   */
  verifiedTokenCache?: { maxEntries?: number; maxAgeSeconds?: number };
  /** Accept opaque tokens by RFC 7662 introspection (a token that is not a JWS goes there). */
  introspection?: IntrospectionOptions;
  fetch?: Fetch;
  /** Milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

/** What the core needs from a request; adapters fill it from their framework's request. */
export interface BearerRequest {
  authorization: string | string[] | undefined;
  /** The `appsecret_proof` query parameter or `appsecret-proof` header, when present. */
  appsecretProof?: string | undefined;
  /**
   * Whether the URL carries an `access_token` query parameter (see `isTokenParameter`). Such a token
   * is never accepted: the request is refused with 400 `invalid_request`. Default false.
   */
  hasQueryToken?: boolean;
}

export interface RequestVerifier {
  /** The realm for `WWW-Authenticate`. */
  readonly realm: string;
  /**
   * The request's principal, or a {@link BearerError} (400/401/403) or `ProviderUnavailableError`
   * (503) to answer with.
   */
  verify(request: BearerRequest, scopes?: ScopeRequirement): Promise<Principal>;
  /**
   * The same answer without waiting, when the token was verified recently (see `verifiedTokenCache`);
   * `undefined` when it must go through {@link verify}. Throws like `verify` for a refused request.
   */
  verifyCached(request: BearerRequest, scopes?: ScopeRequirement): Principal | undefined;
}

/**
 * The framework-free core of the resource server: reads the bearer token, validates it as an RFC 9068
 * JWT access token against the issuer's keys, checks `appsecret_proof` when required, then scopes.
 * Options are checked once, here; the JWKS is fetched on first use and cached.
 *
 * @example
 * const verifier = createRequestVerifier({ issuer: 'https://idp.example.com', audience: 'https://api.example.com' });
 * const principal = await verifier.verify({ authorization: request.headers.authorization }, { allOf: ['api'] });
 */
export function createRequestVerifier(options: RequestVerifierOptions): RequestVerifier {
  if (!options.audience || (Array.isArray(options.audience) && options.audience.length === 0)) {
    throw new TypeError('audience is required: a token for another API must not be accepted here');
  }
  const unsafeAlgorithm = options.algorithms?.find((alg) => alg === 'none' || /^HS/i.test(alg));
  if (unsafeAlgorithm !== undefined) {
    throw new TypeError(`algorithms: ${unsafeAlgorithm} is never accepted (none, or HMAC with a public key)`);
  }
  const now = options.now ?? Date.now;
  const keys = new JwksCache({
    issuer: options.issuer,
    jwksUri: options.jwksUri,
    cooldownSeconds: options.jwksCooldownSeconds,
    fetch: options.fetch,
    now,
  });
  const realm = options.realm ?? 'api';
  const introspector = options.introspection
    ? new Introspector(options.introspection, options, options.fetch ?? fetch)
    : undefined;
  const toleranceMs = (options.clockToleranceSeconds ?? 30) * 1000;
  const verified = new VerifiedTokenCache(
    options.verifiedTokenCache?.maxEntries ?? 10_000,
    (options.verifiedTokenCache?.maxAgeSeconds ?? 60) * 1000,
  );
  /** The checks that apply to every call, cached token or not: the proof, then scopes. */
  function authorize(
    token: string,
    principal: Principal,
    request: BearerRequest,
    scopes?: ScopeRequirement,
  ): Principal {
    if (options.appsecretProof?.required) {
      const secret =
        principal.clientId === undefined ? undefined : options.appsecretProof.clientSecrets[principal.clientId];
      if (secret === undefined || !isValidAppSecretProof(token, secret, request.appsecretProof)) {
        throw new BearerError('invalid_token', 401, 'a valid appsecret_proof is required for this API');
      }
    }
    checkScopes(principal.scopes, scopes);
    return principal;
  }

  return Object.freeze({
    realm,
    verifyCached(request: BearerRequest, scopes?: ScopeRequirement): Principal | undefined {
      const token = readBearerToken(request.authorization, request.hasQueryToken);
      const principal = verified.get(token, now());
      return principal && authorize(token, principal, request, scopes);
    },
    async verify(request: BearerRequest, scopes?: ScopeRequirement): Promise<Principal> {
      const token = readBearerToken(request.authorization, request.hasQueryToken);
      const at = now();
      let principal = verified.get(token, at);
      if (!principal && introspector && token.split('.').length !== 3) {
        principal = await introspector.principalFor(token, at);
      } else if (!principal) {
        principal = await verifyJwtAccessToken(token, options, keys, at);
        verified.set(token, principal, (principal.claims.exp as number) * 1000 + toleranceMs, at);
      }
      return authorize(token, principal, request, scopes);
    },
  });
}
