import { describe, expect, it } from 'vitest';
import { sourceOf } from '../src/source-address.js';

describe('sourceOf', () => {
  it.each([
    ['an IPv4 address as it is', '203.0.113.7', '203.0.113.7'],
    ['an IPv4-mapped IPv6 address as its IPv4 address', '::ffff:203.0.113.7', '203.0.113.7'],
    ['an IPv6 address by its /64', '2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['a compressed, upper-case IPv6 address by the same /64', '2001:DB8:0001:0002::7', '2001:db8:1:2::/64'],
    ['loopback', '::1', '0:0:0:0::/64'],
    ['an address with a zone id', 'fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['an embedded IPv4 tail', '64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
  ])('counts %s', (_label, ip, source) => {
    expect(sourceOf(ip)).toBe(source);
  });

  it('counts every address of one /64 as one source, and another /64 as another', () => {
    expect(sourceOf('2001:db8:a:b:ffff:ffff:ffff:ffff')).toBe(sourceOf('2001:db8:a:b::1'));
    expect(sourceOf('2001:db8:a:c::1')).not.toBe(sourceOf('2001:db8:a:b::1'));
  });
});
