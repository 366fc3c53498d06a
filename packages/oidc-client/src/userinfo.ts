import type { ProviderMetadata } from './discovery.js';
import { callProvider, type Fetch } from './provider-http.js';

/**
 * The UserInfo claims for an access token (OpenID Connect Core §5.3), or `undefined` when the
 * provider has no UserInfo endpoint, does not answer usefully, or answers for another `sub` — such
 * a response is discarded (§5.3.2: it may be a substitution attack), never merged.
 */
export async function fetchUserInfo(
  metadata: ProviderMetadata,
  accessToken: string,
  expectedSubject: string,
  options: { fetch?: Fetch; timeoutMs?: number } = {},
): Promise<Record<string, unknown> | undefined> {
  if (!metadata.userinfo_endpoint) return undefined;
  const { status, body } = await callProvider(
    options.fetch ?? fetch,
    metadata.userinfo_endpoint,
    { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } },
    options.timeoutMs ?? 5_000,
  );
  if (status !== 200 || body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const claims = body as Record<string, unknown>;
  return claims.sub === expectedSubject ? claims : undefined;
}
