import { insufficientScope } from './bearer-error.js';

/** A route's scope rule: every scope of `allOf`, and at least one of `anyOf` when given. */
export interface ScopeRequirement {
  allOf?: readonly string[];
  anyOf?: readonly string[];
}

/** Throws `insufficient_scope` (403, with the scopes that would do) unless `granted` meets `required`. */
export function checkScopes(granted: ReadonlySet<string>, required: ScopeRequirement | undefined): void {
  if (!required) return;
  const missing = (required.allOf ?? []).filter((scope) => !granted.has(scope));
  if (missing.length > 0) throw insufficientScope(required.allOf ?? []);
  if (required.anyOf?.length && !required.anyOf.some((scope) => granted.has(scope))) {
    throw insufficientScope(required.anyOf);
  }
}
