// Conversion between Envoy's canonical JSON and protobuf binary, both ways, for any message of the
// loaded Envoy API. Resources are shown to people exactly as Envoy's config_dump would show them,
// and encoded deterministically (equal JSON → equal bytes) so that versions can be content hashes.
import type { JsonObject, JsonValue } from './resource';
import { envoyApi } from './api';
import { CodecError } from './codec-error';
import { decodeBinaryMessage } from './binary-to-json';
import { encodeJsonAny, encodeJsonMessage } from './json-to-binary';
import { messageNameOf, typeUrlOf } from './type-urls';

export { CodecError } from './codec-error';

function asObject(json: JsonValue, path: string): JsonObject {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new CodecError(path, 'expected an object');
  return json;
}

/** Canonical JSON of a message (e.g. "envoy.config.cluster.v3.Cluster") → binary. */
export function encodeMessage(messageName: string, json: JsonObject): Uint8Array {
  return encodeJsonMessage(envoyApi().messageType(messageName), json, '');
}

/** Binary → canonical JSON of the named message. */
export function decodeMessage(messageName: string, bytes: Uint8Array): JsonObject {
  return asObject(decodeBinaryMessage(envoyApi().messageType(messageName), bytes, ''), '');
}

/** A resource given as canonical JSON (without "@type") → an encoded google.protobuf.Any of typeUrl. */
export function encodeAny(typeUrl: string, json: JsonObject): Uint8Array {
  if (!envoyApi().findMessageType(messageNameOf(typeUrl))) throw new CodecError('@type', `unknown type "${typeUrl}"`);
  return encodeJsonAny({ '@type': typeUrl, ...json }, '');
}

/** An encoded google.protobuf.Any → its type URL and the packed message as canonical JSON. */
export function decodeAny(bytes: Uint8Array): { typeUrl: string; json: JsonObject } {
  const any = decodeBinaryMessage(envoyApi().messageType('google.protobuf.Any'), bytes, '');
  const { '@type': typeUrl, ...json } = asObject(any, '');
  return { typeUrl: String(typeUrl), json };
}

/** The canonical JSON of a resource with its "@type", as config_dump lists it. */
export function withType(typeUrl: string, json: JsonObject): JsonObject {
  return { '@type': typeUrl, ...json };
}

/** Message name → its type URL, for callers building Any values by hand. */
export function anyTypeUrl(messageName: string): string {
  return typeUrlOf(messageName);
}
