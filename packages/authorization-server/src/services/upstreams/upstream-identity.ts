import {
  callProvider,
  type Fetch,
  fetchUserInfo,
  type TokenResponse,
  withAppsecretProof,
} from '@gatehouse/oidc-client';
import { computeAppSecretProof } from '@gatehouse/resource-server';
import type { ResolvedUpstream } from './upstream-providers.js';

/** Who the upstream says the user is. */
export interface UpstreamIdentity {
  /** The upstream's stable id for the user: with the upstream's name, the link key. */
  sub: string;
  email: string | undefined;
  /** Only what the upstream asserts; an email without `email_verified: true` is unverified. */
  emailVerified: boolean;
  name: string | undefined;
  /** The upstream's own authentication methods (OpenID `amr`), when it says. */
  amr: string[];
}

/** The upstream's answer could not establish an identity; `reason` is for logs. */
export class UpstreamIdentityError extends Error {
  override readonly name = 'UpstreamIdentityError';
}

const amrValue = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Establishes the user's identity from the token response: for an OpenID provider the ID token
 * (signature, `iss`, `aud`, `exp`, `nonce`) plus UserInfo for the same `sub`; for a plain OAuth 2.0
 * provider its profile API, read through the configured claim mapping.
 */
export async function identifyUser(
  upstream: ResolvedUpstream,
  tokens: TokenResponse,
  expected: { nonce: string | undefined; now: number },
  fetchImpl: Fetch,
): Promise<UpstreamIdentity> {
  if (upstream.verifyIdToken) {
    if (!tokens.id_token) throw new UpstreamIdentityError('the token response has no ID token');
    const claims = await upstream.verifyIdToken(tokens.id_token, {
      clientId: upstream.credentials.clientId,
      nonce: expected.nonce ?? '',
      now: expected.now,
    });
    const info = (await fetchUserInfo(upstream.metadata, tokens.access_token, claims.sub, { fetch: fetchImpl })) ?? {};
    const merged: Record<string, unknown> = { ...info, ...claims };
    return {
      sub: claims.sub,
      email: stringClaim(merged.email),
      emailVerified: merged.email_verified === true,
      name: stringClaim(merged.name),
      amr: Array.isArray(claims.amr)
        ? claims.amr.filter((value) => typeof value === 'string' && amrValue.test(value))
        : [],
    };
  }
  const { config } = upstream;
  const profileUrl = config.profileUrl as string;
  const url = config.appsecretProof
    ? withAppsecretProof(profileUrl, computeAppSecretProof(tokens.access_token, config.clientSecret))
    : profileUrl;
  const { status, body } = await callProvider(
    fetchImpl,
    url,
    { headers: { authorization: `Bearer ${tokens.access_token}`, accept: 'application/json' } },
    5_000,
  );
  if (status !== 200 || body === null || typeof body !== 'object' || Array.isArray(body))
    throw new UpstreamIdentityError(`the profile API answered ${status}`);
  const profile = body as Record<string, unknown>;
  const rawSub = profile[config.claims.sub];
  const sub = typeof rawSub === 'number' && Number.isSafeInteger(rawSub) ? String(rawSub) : stringClaim(rawSub);
  if (!sub) throw new UpstreamIdentityError(`the profile has no ${config.claims.sub}`);
  return {
    sub,
    email: stringClaim(profile[config.claims.email]),
    emailVerified: profile[config.claims.emailVerified] === true,
    name: stringClaim(profile[config.claims.name]),
    amr: [],
  };
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= 255 ? value : undefined;
}
