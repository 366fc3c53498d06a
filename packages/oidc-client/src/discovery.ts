import { isLoopbackHost } from '@gatehouse/config';
import { DiscoveryError } from './errors.js';
import { callProvider, type Fetch } from './provider-http.js';

/** The provider metadata the BFF uses (OpenID Connect Discovery 1.0 / RFC 8414 names). */
export interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  end_session_endpoint?: string;
  revocation_endpoint?: string;
  userinfo_endpoint?: string;
  /** RFC 9207: when true, every authorization response must carry `iss`. */
  authorization_response_iss_parameter_supported?: boolean;
  code_challenge_methods_supported?: string[];
}

const requiredEndpoints = ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const;
const optionalEndpoints = ['end_session_endpoint', 'revocation_endpoint', 'userinfo_endpoint'] as const;

/**
 * Fetches and checks `<issuer>/.well-known/openid-configuration`. Refuses metadata whose `issuer`
 * differs from the configured one by a single character (a mix-up or a hijacked document), endpoints
 * that are not absolute https URLs (http only on loopback), and a provider that cannot do PKCE S256
 * when it says which methods it supports.
 *
 * @see OpenID Connect Discovery 1.0 §4.3 — the issuer must match exactly
 */
export async function discoverProvider(
  issuer: string,
  options: { fetch?: Fetch; timeoutMs?: number } = {},
): Promise<ProviderMetadata> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const { status, body } = await callProvider(
    options.fetch ?? fetch,
    url,
    { headers: { accept: 'application/json' } },
    options.timeoutMs ?? 5_000,
  );
  if (status !== 200 || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new DiscoveryError(`discovery at ${url} answered ${status} without a JSON object`);
  }
  const metadata = body as Record<string, unknown>;
  if (metadata.issuer !== issuer) {
    throw new DiscoveryError(`discovery issuer ${JSON.stringify(metadata.issuer)} is not the configured ${issuer}`);
  }
  for (const name of [...requiredEndpoints, ...optionalEndpoints]) {
    const value = metadata[name];
    const required = (requiredEndpoints as readonly string[]).includes(name);
    if (value === undefined && !required) continue;
    if (!isEndpointUrl(value)) throw new DiscoveryError(`discovery ${name} is missing or not an https URL`);
  }
  const methods = metadata.code_challenge_methods_supported;
  if (Array.isArray(methods) && !methods.includes('S256')) {
    throw new DiscoveryError('the provider does not support PKCE with S256');
  }
  return metadata as unknown as ProviderMetadata;
}

function isEndpointUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  } catch {
    return false;
  }
}
