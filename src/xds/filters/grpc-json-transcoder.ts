// JSON ⇄ gRPC transcoding (envoy.filters.http.grpc_json_transcoder) for routes whose policy has a
// grpcJsonTranscoder (Kong's grpc-gateway). Each route may name its own proto, so the filter is
// disabled by default and every such route carries its whole GrpcJsonTranscoder as per-route
// configuration (which replaces the filter-level one); the filter-level configuration, required to
// be valid, is the first of them. match_incoming_request_route keeps the route the JSON request
// matched (its path is the REST path): without it Envoy would match again on the gRPC path.
import type { JsonObject } from '../../envoy/resource';
import type { GrpcJsonTranscoderPolicy } from '../../ir/policy';
import { compact, flag, typed } from '../json';
import { perRouteInstance } from './instance';
import type { HttpFilterModule } from './types';

export const GRPC_JSON_TRANSCODER_FILTER = 'envoy.filters.http.grpc_json_transcoder';

export function transcoderConfig(policy: GrpcJsonTranscoderPolicy): JsonObject {
  const p = policy.printOptions ?? {};
  const print = compact({
    add_whitespace: flag(p.addWhitespace),
    always_print_primitive_fields: flag(p.alwaysPrintPrimitiveFields),
    always_print_enums_as_ints: flag(p.alwaysPrintEnumsAsInts),
    preserve_proto_field_names: flag(p.preserveProtoFieldNames),
    stream_newline_delimited: flag(p.streamNewlineDelimited),
  });
  return typed(
    'envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder',
    compact({
      services: [...policy.services],
      print_options: Object.keys(print).length > 0 ? print : undefined,
      proto_descriptor_bin: policy.descriptorSetBase64,
      match_incoming_request_route: true,
    }),
  );
}

export const grpcJsonTranscoderFilter: HttpFilterModule = {
  id: 'grpc_json_transcoder',
  instances({ chain }) {
    const first = chain.routes.find((r) => r.policy.grpcJsonTranscoder);
    if (!first) return [];
    return [perRouteInstance(GRPC_JSON_TRANSCODER_FILTER, transcoderConfig(first.policy.grpcJsonTranscoder!), (r) => (r.policy.grpcJsonTranscoder ? transcoderConfig(r.policy.grpcJsonTranscoder) : undefined))];
  },
};
