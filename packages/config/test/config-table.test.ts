import { describe, expect, it } from 'vitest';
import { type ConfigField, renderConfigTable } from '../src/index.js';

const field = (overrides: Partial<ConfigField>): ConfigField => ({
  path: 'port',
  type: 'integer 0–65535',
  default: '4000',
  description: 'port to listen on',
  ...overrides,
});

describe('renderConfigTable', () => {
  it('renders a header and one row per field, path and default as code', () => {
    expect(renderConfigTable([field({})])).toBe(
      [
        '| field | type | default | meaning |',
        '| --- | --- | --- | --- |',
        '| `port` | integer 0–65535 | `4000` | port to listen on |',
      ].join('\n'),
    );
  });

  it('writes `—` and `none` as words, not code', () => {
    const rows = renderConfigTable([field({ default: '—' }), field({ default: 'none' })]).split('\n');
    expect(rows.slice(2)).toEqual([
      '| `port` | integer 0–65535 | — | port to listen on |',
      '| `port` | integer 0–65535 | none | port to listen on |',
    ]);
  });

  it('escapes pipes, so a union stays in its cell', () => {
    const [row] = renderConfigTable([field({ type: '"ES256" | "RS256"', default: '"a|b"' })])
      .split('\n')
      .slice(2);
    expect(row).toBe('| `port` | "ES256" \\| "RS256" | `"a\\|b"` | port to listen on |');
  });

  it('keeps a <name> outside code visible, and leaves it alone inside code', () => {
    const [row] = renderConfigTable([field({ description: 'upstream:<name>, or `upstream:<name>`' })])
      .split('\n')
      .slice(2);
    expect(row).toBe('| `port` | integer 0–65535 | `4000` | upstream:&lt;name>, or `upstream:<name>` |');
  });

  it('leaves the meaning empty for a field without a description', () => {
    const [row] = renderConfigTable([field({ description: undefined })])
      .split('\n')
      .slice(2);
    expect(row).toBe('| `port` | integer 0–65535 | `4000` |  |');
  });

  it('fences a default that contains a backtick with two', () => {
    const [row] = renderConfigTable([field({ default: '"a`b"' })])
      .split('\n')
      .slice(2);
    expect(row).toBe('| `port` | integer 0–65535 | `` "a`b" `` | port to listen on |');
  });
});
