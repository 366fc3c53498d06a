import type { ConfigField } from './config-fields.js';

/**
 * Renders fields as a Markdown table, `| field | type | default | meaning |`, one row per field:
 * the path and the default as code (`—` and `none` as words), the type and the description as text.
 *
 * @example
 * renderConfigTable(listConfigFields(bffConfigSchema));
 */
export function renderConfigTable(fields: readonly ConfigField[]): string {
  const rows = fields.map((field) =>
    [
      code(field.path),
      text(field.type),
      field.default === '—' || field.default === 'none' ? field.default : code(field.default),
      text(field.description ?? ''),
    ].join(' | '),
  );
  return ['| field | type | default | meaning |', '| --- | --- | --- | --- |', ...rows.map((row) => `| ${row} |`)].join(
    '\n',
  );
}

/** A code span, long enough a fence for any backticks inside. */
function code(value: string): string {
  const fence = value.includes('`') ? '``' : '`';
  const padding = value.includes('`') ? ' ' : '';
  return `${fence}${padding}${value.replaceAll('|', '\\|')}${padding}${fence}`;
}

/**
 * Text for a cell: a `|` would end the cell, and a `<name>` outside a code span would be read as an
 * HTML tag and vanish.
 */
function text(value: string): string {
  return value
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replaceAll('<', '&lt;')))
    .join('')
    .replaceAll('|', '\\|');
}
