// The discovery messages on the wire. Requests are read field by field with protobufjs' Reader so
// that the node (decoded only on a stream's first request) and error_detail (decoded leniently)
// cannot make an otherwise good request fail. Responses are written by hand with protobufjs'
// Writer: each resource's Any bytes come from the cache and are copied in as-is, never re-encoded
// per proxy or stream. Field numbers are those of envoy/service/discovery/v3/discovery.proto.
import protobuf from 'protobufjs';

export interface SotwRequest {
  readonly versionInfo: string;
  /** Encoded envoy.config.core.v3.Node, when present. */
  readonly node: Uint8Array | undefined;
  readonly resourceNames: string[];
  readonly typeUrl: string;
  readonly responseNonce: string;
  /** Encoded google.rpc.Status, when present (its presence alone makes the request a NACK). */
  readonly errorDetail: Uint8Array | undefined;
}

export interface DeltaRequest {
  readonly node: Uint8Array | undefined;
  readonly typeUrl: string;
  readonly subscribe: string[];
  readonly unsubscribe: string[];
  readonly initialResourceVersions: Map<string, string>;
  readonly responseNonce: string;
  readonly errorDetail: Uint8Array | undefined;
}

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

class WireFormatError extends Error {}

/**
 * A length-delimited string, bounds-checked: protobufjs' Buffer reader silently truncates a string
 * whose length runs past the end, which would turn garbage into a plausible request.
 */
function readString(r: protobuf.Reader): string {
  const bytes = r.bytes();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

function expectLengthDelimited(field: number, wireType: number): void {
  if (wireType !== WIRE_LENGTH_DELIMITED) {
    throw new WireFormatError(`field ${field} has wire type ${wireType}, expected length-delimited`);
  }
}

/**
 * Throws unless `bytes` is a well-formed sequence of protobuf fields (valid tags and wire types,
 * lengths within bounds). Checked before a nested message is decoded, since protobufjs' Buffer
 * reader would quietly truncate a string that runs past the end.
 */
export function checkMessageStructure(bytes: Uint8Array): void {
  const r = protobuf.Reader.create(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 0) throw new WireFormatError(`field number 0 at offset ${r.pos}`);
    r.skipType(tag & 7);
  }
}

/** Decode a DiscoveryRequest. Throws on bytes that are not one. */
export function decodeSotwRequest(bytes: Uint8Array): SotwRequest {
  const r = protobuf.Reader.create(bytes);
  let versionInfo = '';
  let node: Uint8Array | undefined;
  const resourceNames: string[] = [];
  let typeUrl = '';
  let responseNonce = '';
  let errorDetail: Uint8Array | undefined;
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    switch (field) {
      case 1: expectLengthDelimited(field, wireType); versionInfo = readString(r); break;
      case 2: expectLengthDelimited(field, wireType); node = r.bytes(); break;
      case 3: expectLengthDelimited(field, wireType); resourceNames.push(readString(r)); break;
      case 4: expectLengthDelimited(field, wireType); typeUrl = readString(r); break;
      case 5: expectLengthDelimited(field, wireType); responseNonce = readString(r); break;
      case 6: expectLengthDelimited(field, wireType); errorDetail = r.bytes(); break;
      default: r.skipType(wireType);
    }
  }
  return { versionInfo, node, resourceNames, typeUrl, responseNonce, errorDetail };
}

function readMapEntry(r: protobuf.Reader, into: Map<string, string>): void {
  const end = r.uint32() + r.pos;
  if (end > r.len) throw new WireFormatError('map entry runs past the end of the message');
  let key = '';
  let value = '';
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 1) { expectLengthDelimited(field, wireType); key = readString(r); }
    else if (field === 2) { expectLengthDelimited(field, wireType); value = readString(r); }
    else r.skipType(wireType);
  }
  into.set(key, value);
}

/** Decode a DeltaDiscoveryRequest. Throws on bytes that are not one. */
export function decodeDeltaRequest(bytes: Uint8Array): DeltaRequest {
  const r = protobuf.Reader.create(bytes);
  let node: Uint8Array | undefined;
  let typeUrl = '';
  const subscribe: string[] = [];
  const unsubscribe: string[] = [];
  const initialResourceVersions = new Map<string, string>();
  let responseNonce = '';
  let errorDetail: Uint8Array | undefined;
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    switch (field) {
      case 1: expectLengthDelimited(field, wireType); node = r.bytes(); break;
      case 2: expectLengthDelimited(field, wireType); typeUrl = readString(r); break;
      case 3: expectLengthDelimited(field, wireType); subscribe.push(readString(r)); break;
      case 4: expectLengthDelimited(field, wireType); unsubscribe.push(readString(r)); break;
      case 5: expectLengthDelimited(field, wireType); readMapEntry(r, initialResourceVersions); break;
      case 6: expectLengthDelimited(field, wireType); responseNonce = readString(r); break;
      case 7: expectLengthDelimited(field, wireType); errorDetail = r.bytes(); break;
      default: r.skipType(wireType);
    }
  }
  return { node, typeUrl, subscribe, unsubscribe, initialResourceVersions, responseNonce, errorDetail };
}

/** What error_detail says, read leniently: garbage still counts as a NACK, with a note saying so. */
export function decodeErrorDetail(bytes: Uint8Array, maxMessageLength = 4096): { code: number; message: string } {
  try {
    const r = protobuf.Reader.create(bytes);
    let code = 0;
    let message = '';
    while (r.pos < r.len) {
      const tag = r.uint32();
      const field = tag >>> 3;
      const wireType = tag & 7;
      if (field === 1 && wireType === WIRE_VARINT) code = r.int32();
      else if (field === 2 && wireType === WIRE_LENGTH_DELIMITED) message = readString(r);
      else r.skipType(wireType);
    }
    if (message.length > maxMessageLength) message = `${message.slice(0, maxMessageLength)}… (truncated)`;
    return { code, message };
  } catch (err) {
    return { code: 2, message: `(undecodable error_detail: ${err instanceof Error ? err.message : String(err)})` };
  }
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** control_plane {identifier}: the same bytes for every response of a server, built once. */
export function encodeControlPlane(identifier: string): Uint8Array {
  return protobuf.Writer.create().uint32((1 << 3) | WIRE_LENGTH_DELIMITED).string(identifier).finish();
}

export interface SotwResponseFields {
  readonly versionInfo: string;
  /** Encoded google.protobuf.Any values, written as they are. */
  readonly resources: readonly Uint8Array[];
  readonly typeUrl: string;
  readonly nonce: string;
  readonly controlPlane: Uint8Array;
}

/** Encode a DiscoveryResponse. */
export function encodeSotwResponse(f: SotwResponseFields): Buffer {
  const w = protobuf.Writer.create();
  w.uint32((1 << 3) | 2).string(f.versionInfo);
  for (const any of f.resources) w.uint32((2 << 3) | 2).bytes(any);
  w.uint32((4 << 3) | 2).string(f.typeUrl);
  w.uint32((5 << 3) | 2).string(f.nonce);
  w.uint32((6 << 3) | 2).bytes(f.controlPlane);
  return toBuffer(w.finish());
}

export interface DeltaResourceFields {
  readonly name: string;
  readonly version: string;
  readonly any: Uint8Array;
}

export interface DeltaResponseFields {
  readonly systemVersionInfo: string;
  readonly resources: readonly DeltaResourceFields[];
  readonly typeUrl: string;
  readonly removed: readonly string[];
  readonly nonce: string;
  readonly controlPlane: Uint8Array;
}

/** Encode a DeltaDiscoveryResponse; each Resource is {version, resource (Any), name}, never a TTL. */
export function encodeDeltaResponse(f: DeltaResponseFields): Buffer {
  const w = protobuf.Writer.create();
  w.uint32((1 << 3) | 2).string(f.systemVersionInfo);
  for (const r of f.resources) {
    w.uint32((2 << 3) | 2).fork();
    w.uint32((1 << 3) | 2).string(r.version);
    w.uint32((2 << 3) | 2).bytes(r.any);
    w.uint32((3 << 3) | 2).string(r.name);
    w.ldelim();
  }
  w.uint32((4 << 3) | 2).string(f.typeUrl);
  w.uint32((5 << 3) | 2).string(f.nonce);
  for (const name of f.removed) w.uint32((6 << 3) | 2).string(name);
  w.uint32((7 << 3) | 2).bytes(f.controlPlane);
  return toBuffer(w.finish());
}
