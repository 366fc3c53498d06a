/** The algorithms the provider signs its own tokens with. */
export type SigningAlg = 'ES256' | 'RS256' | 'EdDSA';

/** ID tokens are RS256 (OpenID's default when a client names no algorithm; SECURITY.md §9.1). */
export const idTokenAlg = 'RS256';
