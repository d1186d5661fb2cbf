// "10.0.0.0/8", "2001:db8::/32" or a bare address → envoy.config.core.v3.CidrRange.
import type { JsonObject } from '../envoy/resource';

export function cidrRange(cidr: string): JsonObject {
  const slash = cidr.indexOf('/');
  const address = (slash >= 0 ? cidr.slice(0, slash) : cidr).trim();
  const fullLength = address.includes(':') ? 128 : 32;
  const prefixLen = slash >= 0 ? Number(cidr.slice(slash + 1)) : fullLength;
  // prefix_len is a UInt32Value: an explicit 0 ("0.0.0.0/0") must stay, so it is always written.
  return { address_prefix: address, prefix_len: Number.isInteger(prefixLen) ? prefixLen : fullLength };
}
