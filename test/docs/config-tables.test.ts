import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configTables, documentedFiles, withGeneratedTables, withoutTablePadding } from '../../tools/config-tables.js';

const readDoc = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

describe('configuration tables in the docs', () => {
  it.each(documentedFiles)('%s lists the fields as the schemas define them', (file) => {
    const text = readDoc(file);
    expect(withoutTablePadding(text), `${file}: a config table differs from the schemas; run npm run docs:config`).toBe(
      withoutTablePadding(withGeneratedTables(text, file)),
    );
  });

  it('embeds every table somewhere', () => {
    const docs = documentedFiles.map(readDoc).join('\n');
    const unused = Object.keys(configTables).filter((name) => !docs.includes(`<!-- config-table: ${name} -->`));
    expect(unused).toEqual([]);
  });

  it('gives every field a description', () => {
    const undescribed = Object.entries(configTables).flatMap(([name, fields]) =>
      fields()
        .filter((field) => !field.description)
        .map((field) => `${name}: ${field.path}`),
    );
    expect(undescribed).toEqual([]);
  });

  it('refuses a marker naming no table, and one left open', () => {
    expect(() => withGeneratedTables('<!-- config-table: nope -->\n<!-- /config-table -->', 'x.md')).toThrow(/nope/);
    expect(() => withGeneratedTables('<!-- config-table: bff -->\n| old |', 'x.md')).toThrow(/not closed/);
  });
});
