// Encoding a route table from its virtual hosts' encodings. A gateway with 10,000 hostnames has one
// RouteConfiguration with 10,000 virtual hosts; a one-route change changes one of them. The route
// builder hands out unchanged virtual hosts as the same frozen objects, so their bytes are kept per
// object and only the changed host is encoded again. The result is byte for byte what encodeAny
// gives (protobuf writes fields in field-number order: name = 1, virtual_hosts = 2, the rest after).
import { encodeAny, encodeMessage } from '../envoy/codec';
import type { JsonObject, JsonValue } from '../envoy/resource';
import { TypeUrl } from '../envoy/type-urls';
import { GenerationalWeakMap } from '../util/generational-weak-map';

const ROUTE_CONFIGURATION = 'envoy.config.route.v3.RouteConfiguration';
const VIRTUAL_HOST = 'envoy.config.route.v3.VirtualHost';
/** Wire tags: field 1 and field 2, length-delimited. */
const TAG_FIELD_1 = 0x0a;
const TAG_FIELD_2 = 0x12;

const hostBytes = new GenerationalWeakMap<object, Uint8Array>();

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

/** Where field 1 (if it comes first) ends. */
function afterFirstField(bytes: Uint8Array): number {
  if (bytes[0] !== TAG_FIELD_1) return 0;
  let len = 0;
  let shift = 0;
  let i = 1;
  for (;;) {
    const b = bytes[i++]!;
    len += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
  }
  return i + len;
}

function isFrozenObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.isFrozen(value);
}

/** A route table whose virtual hosts are all frozen: encoded from its hosts' kept bytes. */
export function isComposedRouteTable(typeUrl: string, json: JsonObject): boolean {
  const hosts = json['virtual_hosts'];
  return typeUrl === TypeUrl.RouteConfiguration && Array.isArray(hosts) && hosts.length > 0 && hosts.every(isFrozenObject);
}

function encodedHost(host: JsonObject): Uint8Array {
  let bytes = hostBytes.get(host);
  if (!bytes) {
    bytes = encodeMessage(VIRTUAL_HOST, host);
    hostBytes.set(host, bytes);
  }
  return bytes;
}

function concat(parts: readonly (Uint8Array | readonly number[])[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The resource as an encoded google.protobuf.Any, reusing the bytes of frozen virtual hosts. Any
 * other resource (or a table whose hosts are not frozen) is encoded by encodeAny as usual.
 */
export function encodeResourceAny(typeUrl: string, json: JsonObject): Uint8Array {
  const hosts = json['virtual_hosts'];
  if (!isComposedRouteTable(typeUrl, json) || !Array.isArray(hosts)) return encodeAny(typeUrl, json);
  let rest: Uint8Array;
  const hostParts: (Uint8Array | number[])[] = [];
  try {
    const { virtual_hosts: _hosts, ...others } = json;
    rest = encodeMessage(ROUTE_CONFIGURATION, others);
    for (const host of hosts) {
      if (!isFrozenObject(host)) return encodeAny(typeUrl, json);
      const bytes = encodedHost(host);
      hostParts.push([TAG_FIELD_2, ...varint(bytes.length)], bytes);
    }
  } catch {
    // Let the whole-message encoder report the problem with its full field path.
    return encodeAny(typeUrl, json);
  }
  const split = afterFirstField(rest);
  const message = concat([rest.subarray(0, split), ...hostParts, rest.subarray(split)]);
  const url = Buffer.from(typeUrl, 'utf8');
  return concat([[TAG_FIELD_1, ...varint(url.length)], url, [TAG_FIELD_2, ...varint(message.length)], message]);
}
