/** Bytes → base64url without padding (RFC 4648 §5), the alphabet of PKCE, state and JWTs. */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** base64url → UTF-8 text; throws on characters outside the alphabet. */
export function fromBase64UrlText(text: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError('not base64url');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** `bytes` random bytes from the CSPRNG (`random`, default the page's `crypto`), base64url. */
export function randomValue(
  bytes: number,
  random: { getRandomValues(array: Uint8Array): Uint8Array } = crypto,
): string {
  return toBase64Url(random.getRandomValues(new Uint8Array(bytes)));
}
