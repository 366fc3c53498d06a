import { SignInError } from './errors.js';

/** The members of the provider's discovery document the public client uses (OpenID Connect Discovery §3). */
export interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
  /** RFC 9207 §3: the provider sends `iss` in every authorization response. */
  authorization_response_iss_parameter_supported?: boolean;
}

/** The provider's metadata, discovered on the first call. */
export type Discover = () => Promise<ProviderMetadata>;

/** The page's `fetch`, as discovery uses it: a GET. */
type Get = { fetch: (url: string) => Promise<Response> };

// The browser is sent to these, so nothing but an http(s) URL will do (no `javascript:`).
function isHttpUrl(value: unknown): boolean {
  try {
    return /^https?:$/.test(new URL(value as string).protocol);
  } catch {
    return false;
  }
}

/**
 * Reads `{authority}/.well-known/openid-configuration` and checks that it names exactly `authority`
 * as its issuer (Discovery §4.3) and has http(s) endpoints. No answer, an error status, something
 * other than JSON, or anything missing is `discovery_failed`.
 */
export async function discoverProvider(authority: string, { fetch }: Get): Promise<ProviderMetadata> {
  let found: Partial<ProviderMetadata> | null | undefined;
  try {
    const response = await fetch(`${authority.replace(/\/$/, '')}/.well-known/openid-configuration`);
    if (response.ok) found = (await response.json()) as Partial<ProviderMetadata> | null;
  } catch {
    // unreachable, or not JSON: refused below
  }
  if (
    found?.issuer !== authority ||
    !isHttpUrl(found.authorization_endpoint) ||
    !isHttpUrl(found.token_endpoint) ||
    (found.end_session_endpoint !== undefined && !isHttpUrl(found.end_session_endpoint))
  ) {
    throw new SignInError('discovery_failed', 'no usable discovery document for this issuer');
  }
  return found as ProviderMetadata;
}

/** Discovers once for all of a client's steps; after a failure, the next call tries again. */
export function createDiscovery(authority: string, environment: Get): Discover {
  let metadata: Promise<ProviderMetadata> | undefined;
  return () => {
    metadata ??= discoverProvider(authority, environment).catch((error: unknown) => {
      metadata = undefined;
      throw error;
    });
    return metadata;
  };
}
