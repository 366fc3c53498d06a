import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isValidAppsecretProof } from '../appsecret-proof.js';
import { demoPostsOf } from '../demo-posts.js';
import { InvalidAppsecretProofError, InvalidRequestError, InvalidTokenError } from '../errors.js';
import type { GrantStore } from '../grant-store.js';
import type { ProviderConfig, SocialUser } from '../options.js';
import { type Params, queryParams } from '../params.js';

/**
 * The Graph-style profile API: `/me` and `/me/posts`. A bearer token in the header (RFC 6750 §2.1)
 * and, unless switched off, an `appsecret_proof` in the query proving the call comes from the app.
 */
export function registerMe(app: FastifyInstance, config: ProviderConfig, store: GrantStore): void {
  /** The token's user, or undefined when no token was sent; bad tokens and proofs throw. */
  const readCaller = (request: FastifyRequest, params: Params): SocialUser | undefined => {
    const token = readBearerToken(request.headers.authorization);
    if (token === undefined) return undefined;
    const grant = store.readAccessToken(token);
    const user = config.users.get(grant?.userId ?? '');
    const client = config.clients.get(grant?.clientId ?? '');
    if (!user || !client) throw new InvalidTokenError('the access token is invalid, expired or revoked');
    if (config.requireAppsecretProof) {
      const proof = params.get('appsecret_proof');
      if (proof === undefined) throw new InvalidRequestError('appsecret_proof is required');
      if (!isValidAppsecretProof(token, client.clientSecret, proof))
        throw new InvalidAppsecretProofError('appsecret_proof does not match the access token');
    }
    return user;
  };

  app.get('/me', async (request, reply) => {
    const params = queryParams(request.url);
    const user = readCaller(request, params);
    if (!user) return challenge(reply);
    const profile = { id: user.id, name: user.name, email: user.email, email_verified: user.emailVerified };
    // Graph's `fields=id,name`: only what was asked for.
    const fields = params
      .get('fields')
      ?.split(',')
      .map((field) => field.trim());
    const entries = Object.entries(profile).filter(
      ([name, value]) => value !== undefined && (!fields || fields.includes(name)),
    );
    return reply.header('cache-control', 'no-store').send(Object.fromEntries(entries));
  });

  app.get('/me/posts', async (request, reply) => {
    const user = readCaller(request, queryParams(request.url));
    if (!user) return challenge(reply);
    return reply.header('cache-control', 'no-store').send({ data: demoPostsOf(user) });
  });
}

/** RFC 6750 §3.1: a request without a token gets a bare challenge, no error code. */
function challenge(reply: FastifyReply) {
  return reply.code(401).header('www-authenticate', 'Bearer realm="example-social"').send();
}

/** The token of `Authorization: Bearer …`; undefined without one; a malformed one is `invalid_request`. */
function readBearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined || !/^bearer(?: |$)/i.test(authorization)) return undefined;
  const match = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization);
  if (!match) throw new InvalidRequestError('the Authorization header is malformed');
  return match[1];
}
