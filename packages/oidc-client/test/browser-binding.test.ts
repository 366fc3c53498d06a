import { describe, expect, it } from 'vitest';
import { BrowserBinding } from '../src/browser-binding.js';

const name = '__Host-test-binding';
const value = 'a'.repeat(43);

describe('browser binding', () => {
  const binding = new BrowserBinding(name, 600);

  it('keeps and renews the value the browser already has, and recognises it by its hash', () => {
    const bound = binding.bind(`other=1; ${name}=${value}`);
    expect(bound.setCookie).toBe(`${name}=${value}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=600`);
    expect(bound.hash).not.toContain(value);
    expect(binding.holds(`${name}=${value}`, bound.hash)).toBe(true);
    expect(binding.holds(`${name}=${'b'.repeat(43)}`, bound.hash)).toBe(false);
  });

  it.each([
    ['no header', undefined],
    ['another cookie only', 'other=1'],
    ['a malformed value', `${name}=short`],
    ['the cookie twice', `${name}=${value}; ${name}=${value}`],
    ['a huge header', `${name}=${value}; pad=${'x'.repeat(9_000)}`],
  ])('reads no binding from %s, and bind draws a new one', (_, header) => {
    expect(binding.hashOf(header)).toBeUndefined();
    expect(binding.bind(header).setCookie).not.toContain(`=${value};`);
  });

  it('refuses a stored hash of the wrong type or length without throwing', () => {
    expect(binding.holds(`${name}=${value}`, undefined)).toBe(false);
    expect(binding.holds(`${name}=${value}`, 'x')).toBe(false);
  });

  it('clears with the attributes it set', () => {
    expect(binding.clearCookie()).toBe(`${name}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`);
  });
});
