import { allowedAlgorithms } from '@gatehouse/oidc-client';
import type { FastifyInstance } from 'fastify';
import { anyRegistersImplicit } from '../checks/check-response.js';
import type { AsContext } from '../context.js';
import { oneTimeCodeGrantType, tokenExchangeGrantType } from '../protocol/grant-types.js';
import { jwksMaxAgeSeconds } from '../protocol/key-publication.js';
import { idTokenAlg } from '../protocol/signing-algorithms.js';

/**
 * Discovery (OpenID Connect Discovery 1.0 and RFC 8414): exactly what this server supports. The
 * document is built once; both well-known paths serve it, to any origin, without credentials.
 */
export function registerDiscovery(app: FastifyInstance, context: AsContext): void {
  const { config, urls } = context;
  // The legacy implicit grant is advertised only when a configured client opted in to it.
  const implicit = anyRegistersImplicit(config.clients);
  const implicitTypes = (['token', 'id_token token'] as const).filter((type) =>
    config.clients.some((client) => client.response_types.includes(type)),
  );
  const document = JSON.stringify({
    issuer: config.issuer,
    authorization_endpoint: urls.authorization,
    token_endpoint: urls.token,
    userinfo_endpoint: urls.userinfo,
    jwks_uri: urls.jwks,
    revocation_endpoint: urls.revocation,
    introspection_endpoint: urls.introspection,
    end_session_endpoint: urls.endSession,
    // Ours, so vendor-prefixed (RFC 8414 §2 leaves other names to extensions).
    gatehouse_one_time_code_endpoint: `${config.issuer}/one-time-code`,
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    response_types_supported: ['code', ...(implicit ? implicitTypes : [])],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    grant_types_supported: [
      'authorization_code',
      'refresh_token',
      'client_credentials',
      tokenExchangeGrantType,
      oneTimeCodeGrantType,
      ...(implicit ? ['implicit'] : []),
    ],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [idTokenAlg],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    token_endpoint_auth_signing_alg_values_supported: [...allowedAlgorithms],
    // Public clients revoke their own tokens by naming themselves (RFC 7009 §2.1); introspection needs a secret or key.
    revocation_endpoint_auth_methods_supported: [
      'client_secret_basic',
      'client_secret_post',
      'private_key_jwt',
      'none',
    ],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    code_challenge_methods_supported: ['S256'],
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'amr',
      'sid',
      'nonce',
      'name',
      'email',
      'email_verified',
      'updated_at',
    ],
    prompt_values_supported: ['none', 'login', 'consent'],
    authorization_response_iss_parameter_supported: true,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    claims_parameter_supported: false,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    frontchannel_logout_supported: false,
    ...(config.resources.length > 0 ? { resource_indicators_supported: true } : {}),
  });
  for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
    app.get(path, { config: { failure: 'json' } }, async (_request, reply) =>
      reply
        .header('access-control-allow-origin', '*')
        .header('cache-control', 'public, max-age=300')
        .type('application/json; charset=utf-8')
        .send(document),
    );
  }
}

/** The JWKS (public members only, every published key), to any origin, cacheable for a few minutes. */
export function registerJwks(app: FastifyInstance, context: AsContext): void {
  app.get('/jwks', { config: { failure: 'json' } }, async (_request, reply) =>
    reply
      .header('access-control-allow-origin', '*')
      .header('cache-control', `public, max-age=${jwksMaxAgeSeconds}`)
      .type('application/jwk-set+json; charset=utf-8')
      .send(await context.keys.jwks()),
  );
}
