import { html, type SafeHtml } from './html.js';

/** Shown apart from the list on every page: access that outlives the visit deserves more than a line. */
export const offlineAccessScope = 'offline_access';

// A Map, not an object: a scope named `constructor` or `__proto__` must not find a description.
const plainWords: ReadonlyMap<string, string> = new Map([
  ['openid', 'Confirm who you are'],
  ['profile', 'Your name and profile details'],
  ['email', 'Your email address and whether it is verified'],
  [
    offlineAccessScope,
    'Keep access when you are not using the app — it can act for you until you revoke it on your profile page',
  ],
  ['api', 'Use the demo API for you'],
]);

/** The scope in plain words, or `undefined` for a scope we have no words for (shown by its name). */
export function describeScope(scope: string): string | undefined {
  return plainWords.get(scope);
}

/** One line per scope, without offline access (each page shows that its own way); nothing if empty. */
export function renderScopeList(scopes: readonly string[]): SafeHtml {
  const listed = [...new Set(scopes)].filter((scope) => scope !== offlineAccessScope);
  if (listed.length === 0) return html``;
  return html`<ul class="scope-list">
${listed.map((scope) => {
  const words = describeScope(scope);
  return html`<li>${words ?? html`<code>${scope}</code>`}</li>\n`;
})}</ul>`;
}
