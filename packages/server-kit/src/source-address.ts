import { isIPv6 } from 'node:net';
import type { FastifyRequest } from 'fastify';

/**
 * The source a per-source rate limit (and a security event's `source_address`) counts a request under: `request.ip`, which believes
 * `X-Forwarded-For` only from the configured `trustedProxies` (so a client cannot name its own
 * address). An IPv4-mapped IPv6 address counts as the IPv4 one; any other IPv6 address counts by
 * its /64 prefix, since one subscriber gets a whole /64 and could otherwise use a fresh address for
 * every request.
 */
export function sourceAddress(request: FastifyRequest): string {
  return sourceOf(request.ip);
}

/** {@link sourceAddress} for an address string (for tests and non-HTTP callers). */
export function sourceOf(ip: string): string {
  const address = ip.split('%', 1)[0] as string; // a zone id (fe80::1%eth0) names an interface, not a host
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1] as string;
  if (!isIPv6(address)) return address;
  return `${ipv6Groups(address).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, as lowercase hex without leading zeros. */
function ipv6Groups(address: string): string[] {
  const groupsOf = (part: string) =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [Number.parseInt(group, 16).toString(16)];
          // An embedded IPv4 tail (64:ff9b::192.0.2.1) is the last two groups.
          const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
          return [(a * 256 + b).toString(16), (c * 256 + d).toString(16)];
        });
  const [head = '', tail] = address.split('::');
  const left = groupsOf(head);
  const right = tail === undefined ? [] : groupsOf(tail);
  return [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
}
