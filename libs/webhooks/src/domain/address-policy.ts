import ipaddr from 'ipaddr.js';

/**
 * Whether a resolved address may receive webhooks when private targets are not allowed. Only
 * ipaddr.js's `unicast` range passes (the public internet); loopback, private, link-local,
 * unique-local, unspecified, and also multicast, carrier-grade NAT, reserved, benchmarking and
 * the translation prefixes (6to4, Teredo, NAT64) that can carry a private IPv4 inside, are
 * refused. IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is judged as the IPv4 address it carries.
 * Returns null when allowed, else the name of the range.
 */
export function forbiddenRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  return range === 'unicast' ? null : range;
}

/** `[::1]` in a URL's host is `::1` to the resolver. */
export const bareHost = (hostname: string): string =>
  hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
