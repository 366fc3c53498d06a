import { basicAuthorization, callProvider } from '@gatehouse/oidc-client';
import type { BffContext } from '../context.js';

/** Revokes a refresh token at the provider (RFC 7009); rejects unless the provider answered 200. */
export async function revokeRefreshToken(context: BffContext, refreshToken: string): Promise<void> {
  const endpoint = context.metadata.revocation_endpoint;
  if (!endpoint) return;
  const { status } = await callProvider(
    context.fetch,
    endpoint,
    {
      method: 'POST',
      headers: {
        authorization: basicAuthorization({
          clientId: context.config.clientId,
          clientSecret: context.config.clientSecret,
        }),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: refreshToken, token_type_hint: 'refresh_token' }).toString(),
    },
    5_000,
  );
  if (status !== 200) throw new Error(`revocation answered ${status}`);
}
