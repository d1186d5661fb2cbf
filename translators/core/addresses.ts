// IP addresses and CIDR blocks, normalised to "address/prefix" as Envoy's CidrRange expects.
import { isIP } from 'node:net';

export function ipProblem(text: string): string | undefined {
  return isIP(text) === 0 ? `"${text}" is not an IPv4 or IPv6 address` : undefined;
}

/** "10.0.0.0/8" stays; a bare "10.1.2.3" becomes "10.1.2.3/32" (IPv6: /128). */
export function normaliseCidr(text: string): string | undefined {
  const [address, prefix, ...rest] = text.split('/');
  if (rest.length > 0 || address === undefined) return undefined;
  const family = isIP(address);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  if (prefix === undefined) return `${address}/${max}`;
  if (!/^[0-9]{1,3}$/.test(prefix) || Number(prefix) > max) return undefined;
  return `${address}/${Number(prefix)}`;
}

export function cidrProblem(text: string): string | undefined {
  return normaliseCidr(text) === undefined ? `"${text}" is not an IP address or CIDR block (e.g. "10.0.0.0/8")` : undefined;
}
