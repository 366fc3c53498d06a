import { describe, expect, it } from 'vitest';
import { SessionEndListeners } from '../../src/session/session-end-listeners.js';

describe('session end listeners', () => {
  it('tells every listener, in the order added, the key of each ended session', () => {
    const listeners = new SessionEndListeners();
    const heard: string[] = [];
    listeners.add((key) => heard.push(`first:${key}`));
    listeners.add((key) => heard.push(`second:${key}`));
    listeners.notify('k1');
    listeners.notify('k2');
    expect(heard).toEqual(['first:k1', 'second:k1', 'first:k2', 'second:k2']);
  });

  it('is quiet with no listener', () => {
    expect(() => new SessionEndListeners().notify('k1')).not.toThrow();
  });
});
