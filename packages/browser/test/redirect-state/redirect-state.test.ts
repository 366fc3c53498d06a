import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { saveAppState, takeAppState } from '../../src/redirect-state/redirect-state.js';

let items: Map<string, string>;

beforeEach(() => {
  items = new Map();
  vi.stubGlobal('sessionStorage', {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  });
});

afterEach(() => vi.unstubAllGlobals());

describe('app state kept across a redirect', () => {
  it('keeps the object in sessionStorage under a random 128-bit id, and only the id travels', () => {
    const id = saveAppState({ draft: 'unsaved', page: 2 });
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(id).not.toContain('unsaved');
    expect(saveAppState({})).not.toBe(id);
    expect(JSON.parse(items.get(`gatehouse.state.${id}`) as string)).toEqual({ draft: 'unsaved', page: 2 });
  });

  it('hands the object back once: a replayed id gives undefined', () => {
    const id = saveAppState({ draft: 'unsaved' });
    expect(takeAppState(id)).toEqual({ draft: 'unsaved' });
    expect(takeAppState(id)).toBeUndefined();
    expect(items.size).toBe(0);
  });

  it('gives undefined, never an error, for a missing, malformed or unknown id', () => {
    for (const id of [undefined, null, '', 'short', '../../etc/passwd-xxxxxx', 'A'.repeat(22)]) {
      expect(takeAppState(id)).toBeUndefined();
    }
  });

  it('gives undefined for stored data that is not a JSON object, and removes it', () => {
    const ids = ['B', 'C', 'D'].map((c) => c.repeat(22));
    items.set(`gatehouse.state.${ids[0]}`, '{not json');
    items.set(`gatehouse.state.${ids[1]}`, '[1,2]');
    items.set(`gatehouse.state.${ids[2]}`, 'null');
    for (const id of ids) expect(takeAppState(id)).toBeUndefined();
    expect(items.size).toBe(0);
  });
});
