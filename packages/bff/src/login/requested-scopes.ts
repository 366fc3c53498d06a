/** What `scope=` on `/bff/login` asks for, judged against the BFF's allow-list. */
export type ScopeRequest = { kind: 'absent' } | { kind: 'allowed'; scopes: readonly string[] } | { kind: 'refused' };

const maxScopeLength = 1024;
// RFC 6749 §3.3 scope-token characters, space-separated.
const scopeList = /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/;

/**
 * Parses the `scope` query parameter of a sign-in start (incremental consent). Absent or empty
 * (`scope=`) is `absent`; anything but one space-separated list of scopes that are all in
 * `allowed` (the configured `scopes` and `optionalScopes`) is `refused`: a page that can navigate
 * the user to `/bff/login` — any page on the web — must not make the BFF ask the provider for
 * whatever it likes.
 */
export function parseScopeRequest(value: unknown, allowed: ReadonlySet<string>): ScopeRequest {
  if (value === undefined || value === '') return { kind: 'absent' };
  if (typeof value !== 'string' || value.length > maxScopeLength || !scopeList.test(value)) return { kind: 'refused' };
  const scopes = [...new Set(value.split(' '))];
  return scopes.every((scope) => allowed.has(scope)) ? { kind: 'allowed', scopes } : { kind: 'refused' };
}

/**
 * The scopes a sign-in asks for: the configured ones, then those the current session was already
 * granted (so an upgrade never narrows it) and the ones asked for — each only if allowed, each once.
 */
export function scopesToRequest(
  configured: readonly string[],
  granted: readonly string[],
  requested: readonly string[],
  allowed: ReadonlySet<string>,
): string[] {
  return [...new Set([...configured, ...granted.filter((s) => allowed.has(s)), ...requested])];
}
