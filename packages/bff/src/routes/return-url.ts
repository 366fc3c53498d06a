const maxReturnUrlLength = 2048;
// C0, DEL and C1 controls, and whitespace: none belongs in a path, and CR/LF would split a header.
const forbiddenCharacter = /[\u0000-\u0020\u007f-\u009f\s]/;
const placeholderOrigin = 'https://bff.invalid';

/**
 * Returns `returnUrl` when it is a same-origin path that is safe to redirect to after login, else
 * `undefined` (callers then use `/`). Refuses protocol-relative (`//host`), backslash (`/\host`,
 * `\\host`) and scheme (`javascript:`, `https:`) forms, their percent-encoded twins (`/%2F%2Fhost`,
 * `/%5Chost`), control characters and whitespace anywhere, malformed encoding, and anything over 2 KB.
 *
 * @see SECURITY.md §5 — no open redirects
 */
export function parseReturnUrl(returnUrl: unknown): string | undefined {
  if (typeof returnUrl !== 'string' || returnUrl.length === 0 || returnUrl.length > maxReturnUrlLength)
    return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(returnUrl);
  } catch {
    return undefined; // malformed percent-encoding
  }
  for (const form of [returnUrl, decoded]) {
    if (!form.startsWith('/') || form.startsWith('//') || form.includes('\\') || forbiddenCharacter.test(form)) {
      return undefined;
    }
  }
  // Belt and braces: whatever a URL parser makes of it must stay on our origin.
  const resolved = new URL(returnUrl, placeholderOrigin);
  if (resolved.origin !== placeholderOrigin) return undefined;
  return returnUrl;
}
