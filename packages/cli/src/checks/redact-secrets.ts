/** What a secret is replaced with in printed text. */
const hidden = '[secret]';
/** Store locations: secret fields only because they may carry a password. */
const storeLocation = /^(memory$|sqlite:|rediss?:\/\/|postgres(ql)?:\/\/)/;

/**
 * A function that hides every given secret in a line of text, and for a secret that is a URL
 * (a store URL) its password and user info too, as written and percent-decoded: the line may come
 * from a driver that quotes only part of the URL. Longer secrets are hidden first, so one that
 * contains another is hidden whole. A store location without a password (`memory`, `sqlite:…`,
 * `redis://cache:6379`) is no secret and stays readable.
 *
 * The checks print only fixed reasons; this is the second line of defence for a message nobody wrote
 * for this command (an unexpected driver error).
 *
 * @example
 * const redact = secretRedactor(listSecretValues(schema, config));
 * io.stderr(redact(`store: failed: ${error.message}`));
 */
export function secretRedactor(secrets: readonly string[]): (text: string) => string {
  const fragments = new Set<string>();
  for (const secret of secrets) {
    if (secret === '') continue;
    const credentials = urlCredentials(secret);
    if (storeLocation.test(secret) && credentials.length === 0) continue;
    fragments.add(secret);
    for (const part of credentials) fragments.add(part);
  }
  const ordered = [...fragments].sort((a, b) => b.length - a.length);
  return (text) => ordered.reduce((line, fragment) => line.replaceAll(fragment, hidden), text);
}

function urlCredentials(value: string): string[] {
  if (!URL.canParse(value)) return [];
  const { username, password } = new URL(value);
  const parts = [password, username && password ? `${username}:${password}` : ''];
  return [...parts, ...parts.map(safeDecode)].filter((part) => part.length > 0);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
