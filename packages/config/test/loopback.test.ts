import { describe, expect, it } from 'vitest';
import { isLoopbackHost, isLoopbackUrl } from '../src/loopback.js';

describe('loopback', () => {
  it.each(['localhost', '127.0.0.1', '[::1]'])('counts %s as this machine', (hostname) => {
    expect(isLoopbackHost(hostname)).toBe(true);
  });

  it.each([
    '127.0.0.1.nip.io',
    'localhost.evil',
    'evil-localhost',
    'localhost.',
    'example.com',
    '::1', // URL.hostname keeps the brackets
    '',
  ])('does not count %s', (hostname) => {
    expect(isLoopbackHost(hostname)).toBe(false);
  });

  it.each([
    ['http://localhost:3000/x', true],
    ['http://LOCALHOST/', true],
    ['http://127.0.0.1:8080', true],
    ['http://[::1]:4000/', true],
    ['http://127.0.0.1.nip.io/', false],
    ['http://localhost.evil/', false],
    ['http://user@evil.example/?localhost', false],
    ['not a url', false],
  ])('reads the host of %s', (url, loopback) => {
    expect(isLoopbackUrl(url)).toBe(loopback);
    if (URL.canParse(url)) expect(isLoopbackUrl(new URL(url))).toBe(loopback);
  });
});
