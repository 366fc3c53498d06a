import { discoverProvider, type ProviderMetadata } from '@gatehouse/bff';
import { type Check, CheckFailedError } from './check.js';

/** Largest JWKS read; a provider's key set is a few kilobytes. */
const maxJwksBytes = 256 * 1024;

/** The JWK key type each signing algorithm needs (RFC 7518 §3.1, RFC 8037 §3.1). */
const keyTypeOf: Readonly<Record<string, string>> = { RS: 'RSA', PS: 'RSA', ES: 'EC', Ed: 'OKP' };

/**
 * The BFF's provider as the BFF meets it at start: its discovery document (the same checks: issuer
 * exactly the configured one, https endpoints, PKCE S256), then its JWKS, which must hold a key for
 * the algorithm the provider signs this client's ID tokens with.
 */
export function providerChecks(issuer: string, idTokenSigningAlg: string, timeoutMs: number): Check[] {
  let metadata: ProviderMetadata | undefined;
  return [
    {
      name: 'provider discovery',
      async run() {
        metadata = await discoverProvider(issuer, { timeoutMs });
        return issuer;
      },
    },
    {
      name: 'provider JWKS',
      async run() {
        if (metadata === undefined) throw new CheckFailedError('not checked: discovery failed');
        return checkJwks(metadata.jwks_uri, idTokenSigningAlg, timeoutMs);
      },
    },
  ];
}

/** An upstream OpenID provider of the authorization server: its discovery document. */
export function upstreamDiscoveryCheck(name: string, issuer: string, timeoutMs: number): Check {
  return {
    name: `upstream ${name} discovery`,
    async run() {
      await discoverProvider(issuer, { timeoutMs });
      return issuer;
    },
  };
}

async function checkJwks(jwksUri: string, alg: string, timeoutMs: number): Promise<string> {
  let response: Response;
  try {
    response = await fetch(jwksUri, {
      headers: { accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    throw new CheckFailedError(`unreachable: ${new URL(jwksUri).origin}`);
  }
  const text = await readLimited(response, maxJwksBytes);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const keys = (body as { keys?: unknown } | undefined)?.keys;
  if (response.status !== 200 || !Array.isArray(keys)) {
    throw new CheckFailedError(`${jwksUri} answered ${response.status} without a JWK set`);
  }
  const keyType = keyTypeOf[alg.slice(0, 2)];
  const usable = keys.filter((key: { kty?: unknown; alg?: unknown; use?: unknown }) => {
    if (key === null || typeof key !== 'object') return false;
    if (key.use !== undefined && key.use !== 'sig') return false;
    return key.alg === undefined ? key.kty === keyType : key.alg === alg;
  });
  if (usable.length === 0) throw new CheckFailedError(`no ${alg} signing key among its ${keys.length} keys`);
  return `${keys.length} keys, ${usable.length} for ${alg}`;
}

async function readLimited(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > limit) throw new CheckFailedError(`the JWKS is larger than ${limit} bytes`);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof CheckFailedError) throw error;
    throw new CheckFailedError('the JWKS answer was cut off');
  }
  return Buffer.concat(chunks).toString('utf8');
}
