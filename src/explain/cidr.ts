// IP addresses and CIDR ranges (config.core.v3.CidrRange) for filter chain and RBAC matching.
import type { JsonObject } from '../envoy/resource';
import { num, str } from './json';

/** 4 bytes for IPv4, 16 for IPv6; undefined when the text is not an IP address. */
export function parseIp(text: string): number[] | undefined {
  const t = text.trim().replace(/^\[|\]$/g, '');
  if (t.includes(':')) return parseIpv6(t);
  return parseIpv4(t);
}

function parseIpv4(t: string): number[] | undefined {
  const parts = t.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    bytes.push(n);
  }
  return bytes;
}

function parseIpv6(t: string): number[] | undefined {
  const zone = t.indexOf('%');
  const text = zone >= 0 ? t.slice(0, zone) : t;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

export interface Cidr {
  readonly bytes: readonly number[];
  readonly prefixLen: number;
  readonly text: string;
}

/** A CidrRange {address_prefix, prefix_len}; prefix_len absent means 0 (Envoy's default). */
export function cidrFromJson(range: JsonObject): Cidr | undefined {
  const address = str(range, 'address_prefix');
  if (address === undefined) return undefined;
  const bytes = parseIp(address);
  if (!bytes) return undefined;
  const prefixLen = Math.min(num(range, 'prefix_len') ?? 0, bytes.length * 8);
  return { bytes, prefixLen, text: `${address}/${prefixLen}` };
}

/** True when the address is inside the range; addresses of the other family never are. */
export function cidrContains(cidr: Cidr, address: readonly number[]): boolean {
  if (cidr.bytes.length !== address.length) return false;
  let bits = cidr.prefixLen;
  for (let i = 0; i < address.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((cidr.bytes[i]! & mask) !== (address[i]! & mask)) return false;
  }
  return true;
}

export function isWildcardAddress(address: string): boolean {
  const bytes = parseIp(address);
  return bytes !== undefined && bytes.every((b) => b === 0);
}

export function isLoopback(address: readonly number[]): boolean {
  if (address.length === 4) return address[0] === 127;
  return address.slice(0, 15).every((b) => b === 0) && address[15] === 1;
}
