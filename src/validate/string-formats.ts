// The well-known string formats of validate.StringRules, as protoc-gen-validate defines them.
import net from 'node:net';

/** RFC 1034 host name: dot-separated labels of letters, digits and hyphens, 1-63 chars each, no leading/trailing hyphen. */
export function isHostname(value: string): boolean {
  const host = value.endsWith('.') ? value.slice(0, -1) : value;
  if (host.length === 0 || host.length > 253) return false;
  for (const label of host.split('.')) {
    if (label.length === 0 || label.length > 63) return false;
    if (label.startsWith('-') || label.endsWith('-')) return false;
    if (!/^[A-Za-z0-9-]+$/.test(label)) return false;
  }
  return true;
}

export function isIpv4(value: string): boolean {
  return net.isIPv4(value);
}

/** An IPv6 address without brackets or zone ("fe80::1%eth0" is not an address literal). */
export function isIpv6(value: string): boolean {
  return !value.includes('%') && net.isIPv6(value);
}

export function isIp(value: string): boolean {
  return isIpv4(value) || isIpv6(value);
}

/** A host name or an IP address ("address" rule). */
export function isAddress(value: string): boolean {
  return isIp(value) || isHostname(value);
}

const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const DOT_ATOM = new RegExp(`^${ATOM}(?:\\.${ATOM})*$`);
const QUOTED_LOCAL = /^"(?:[^"\\\r\n]|\\.)*"$/;

/**
 * RFC 5322 address as PGV checks it: "local@host" or "Name <local@host>", the address at most 254
 * characters, the local part at most 64, the domain a valid host name.
 */
export function isEmail(value: string): boolean {
  let addr = value.trim();
  const angle = /^[^<>]*<([^<>]+)>$/.exec(addr);
  if (angle) addr = angle[1]!;
  if (addr.length > 254) return false;
  const at = addr.lastIndexOf('@');
  if (at <= 0) return false;
  const local = addr.slice(0, at);
  const domain = addr.slice(at + 1);
  if (local.length > 64) return false;
  if (!DOT_ATOM.test(local) && !QUOTED_LOCAL.test(local)) return false;
  return isHostname(domain);
}

// RFC 3986: every character is unreserved, reserved, or part of a %XX escape.
const URI_CHARS = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** A URI reference (absolute or relative), RFC 3986. */
export function isUriRef(value: string): boolean {
  if (!URI_CHARS.test(value)) return false;
  const hash = value.indexOf('#');
  // Only one fragment delimiter; "[" and "]" only inside an IP-literal authority.
  if (hash >= 0 && value.indexOf('#', hash + 1) >= 0) return false;
  const brackets = value.replace(/^(?:[A-Za-z][A-Za-z0-9+.-]*:)?\/\/\[[0-9A-Fa-f:.vV]+\]/, '');
  return !/[[\]]/.test(brackets);
}

/** An absolute URI: a URI reference with a scheme. */
export function isUri(value: string): boolean {
  return SCHEME.test(value) && isUriRef(value);
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

// PGV's well_known_regex patterns, verbatim (note "+-." in the name class is a range that includes ",").
const HEADER_NAME_STRICT = /^:?[0-9a-zA-Z!#$%&'*+-.^_|~`]+$/;
const HEADER_VALUE_STRICT = /^[^\u0000-\u0008\u000A-\u001F\u007F]*$/;
/** With strict: false both header rules only forbid NUL, CR and LF. */
const HEADER_LOOSE = /^[^\u0000\u000A\u000D]*$/;

export function isHttpHeaderName(value: string, strict: boolean): boolean {
  return (strict ? HEADER_NAME_STRICT : HEADER_LOOSE).test(value);
}

export function isHttpHeaderValue(value: string, strict: boolean): boolean {
  return (strict ? HEADER_VALUE_STRICT : HEADER_LOOSE).test(value);
}
