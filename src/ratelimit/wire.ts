// envoy.service.ratelimit.v3 messages ↔ the limiter's plain types, with the protobufjs types of the
// loaded Envoy API. One field is read by hand: RateLimitDescriptor.hits_addend (field 3, a
// google.protobuf.UInt64Value) is newer than the bundled API, which would drop it as unknown.
import protobuf from 'protobufjs';
import { envoyApi } from '../envoy/api';
import type { DescriptorRequest, RateLimitDecision, RateLimitQuery } from './limiter';
import type { DescriptorEntry } from './rules';
import { unitFromProtoName, unitProtoName } from './units';

export const RATE_LIMIT_SERVICE = 'envoy.service.ratelimit.v3.RateLimitService';
export const SHOULD_RATE_LIMIT_PATH = `/${RATE_LIMIT_SERVICE}/ShouldRateLimit`;
export const REQUEST_MESSAGE = 'envoy.service.ratelimit.v3.RateLimitRequest';
export const RESPONSE_MESSAGE = 'envoy.service.ratelimit.v3.RateLimitResponse';

const TO_OBJECT: protobuf.IConversionOptions = { enums: String, longs: Number, defaults: false, arrays: true };

type Fields = Readonly<Record<string, unknown>>;

function fields(v: unknown): Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Fields) : {};
}

function list(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** RateLimitDescriptor.hits_addend of each descriptor in an encoded RateLimitRequest (undefined when unset). */
export function descriptorHitsAddends(requestBytes: Uint8Array): (number | undefined)[] {
  const uint64Value = envoyApi().messageType('google.protobuf.UInt64Value');
  const out: (number | undefined)[] = [];
  const request = protobuf.Reader.create(requestBytes);
  while (request.pos < request.len) {
    const tag = request.uint32();
    if (tag >>> 3 !== 2 || (tag & 7) !== 2) {
      request.skipType(tag & 7);
      continue;
    }
    const descriptor = protobuf.Reader.create(request.bytes());
    let addend: number | undefined;
    while (descriptor.pos < descriptor.len) {
      const dtag = descriptor.uint32();
      if (dtag >>> 3 === 3 && (dtag & 7) === 2) {
        addend = count(fields(uint64Value.toObject(uint64Value.decode(descriptor.bytes()), TO_OBJECT)).value);
      } else {
        descriptor.skipType(dtag & 7);
      }
    }
    out.push(addend);
  }
  return out;
}

/** Throws on bytes that are not a RateLimitRequest. */
export function decodeRateLimitRequest(bytes: Uint8Array): RateLimitQuery {
  const type = envoyApi().messageType(REQUEST_MESSAGE);
  const request = fields(type.toObject(type.decode(bytes), TO_OBJECT));
  const addends = descriptorHitsAddends(bytes);
  const descriptors = list(request.descriptors).map((d, i): DescriptorRequest => {
    const descriptor = fields(d);
    const entries: DescriptorEntry[] = list(descriptor.entries).map((e) => ({ key: text(fields(e).key), value: text(fields(e).value) }));
    const override = fields(descriptor.limit);
    const overrideUnit = unitFromProtoName(text(override.unit));
    const hitsAddend = addends[i];
    return {
      entries,
      // An override in an unknown unit is not honoured: the configured rule applies.
      ...(descriptor.limit !== undefined && overrideUnit ? { limitOverride: { requestsPerUnit: count(override.requests_per_unit), unit: overrideUnit } } : {}),
      ...(hitsAddend !== undefined ? { hitsAddend } : {}),
    };
  });
  const hitsAddend = count(request.hits_addend);
  return { domain: text(request.domain), descriptors, ...(hitsAddend > 0 ? { hitsAddend } : {}) };
}

function duration(ms: number): { seconds: number; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

export function encodeRateLimitResponse(decision: RateLimitDecision): Uint8Array {
  const type = envoyApi().messageType(RESPONSE_MESSAGE);
  const message = type.fromObject({
    overall_code: decision.overallCode,
    statuses: decision.statuses.map((s) => ({
      code: s.code,
      ...(s.currentLimit
        ? {
            current_limit: {
              ...(s.currentLimit.name !== undefined ? { name: s.currentLimit.name } : {}),
              requests_per_unit: s.currentLimit.requestsPerUnit,
              unit: unitProtoName(s.currentLimit.unit),
            },
          }
        : {}),
      // proto3 leaves zero values off the wire; protobufjs would write an explicit 0.
      ...(s.limitRemaining > 0 ? { limit_remaining: s.limitRemaining } : {}),
      ...(s.durationUntilResetMs !== undefined ? { duration_until_reset: duration(s.durationUntilResetMs) } : {}),
    })),
    // Envoy's ratelimit filter adds these to the response, allowed (from the upstream) or limited (its 429).
    ...(decision.responseHeaders && decision.responseHeaders.length > 0 ? { response_headers_to_add: decision.responseHeaders.map((h) => ({ key: h.key, value: h.value })) } : {}),
  });
  return type.encode(message).finish();
}
