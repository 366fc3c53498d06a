/**
 * Escaping by construction: a page is built with the `html` tag, so every value is escaped unless it
 * is already `SafeHtml`. Forgetting to escape then takes an explicit `raw(…)`, which a reviewer sees.
 */

/** Markup that may go into a page as is: built by `html`, or vouched for with `raw`. */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

/** What a `html` template accepts; `undefined`, `null` and `false` render as nothing, so `cond && html\`…\`` works. */
export type HtmlValue = SafeHtml | string | number | false | null | undefined | readonly HtmlValue[];

const entities: ReadonlyMap<string, string> = new Map([
  ['&', '&amp;'],
  ['<', '&lt;'],
  ['>', '&gt;'],
  ['"', '&quot;'],
  ["'", '&#39;'],
  // Old IE ended unquoted attributes at a backtick; escaping it costs nothing.
  ['`', '&#96;'],
]);

/** Makes text safe both as element content and inside a quoted attribute value. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (character) => entities.get(character) ?? character);
}

/** Marks a string as markup. Only for constants written in this folder, never for request data. */
export function raw(trusted: string): SafeHtml {
  return new SafeHtml(trusted);
}

/** Tagged template: the literal parts are markup, every interpolated value is escaped unless `SafeHtml`. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let markup = strings[0] ?? '';
  for (const [index, value] of values.entries()) {
    markup += renderValue(value) + (strings[index + 1] ?? '');
  }
  return new SafeHtml(markup);
}

function renderValue(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === undefined || value === null || value === false) return '';
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number') return escapeHtml(String(value));
  return value.map(renderValue).join('');
}
