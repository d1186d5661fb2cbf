// The HTTP filters meshgate generates, in the one order they run. Access control that needs only
// the connection comes first (CORS preflights are answered before auth; IP lists before anything
// costly), then authentication, then checks on the authenticated consumer and the workload's
// authorization (Istio policies on an ingress gateway, which read jwt_authn's claims), then rate
// limits (so rejected requests never spend tokens), body limits, protocol translation and
// compression, and the router last.
//
// grpc_json_transcoder sits last before the router: authentication, rate limits and the body limit
// all see the client's JSON/HTTP request (its REST path and JSON body) and only then is it turned
// into a gRPC call; responses run the chain backwards, so the compressor (earlier in the list)
// compresses the JSON the transcoder produced rather than gRPC frames.
import { apiKeyAuthFilter } from './api-key-auth';
import { basicAuthFilter } from './basic-auth';
import { bufferFilter } from './buffer';
import { compressorFilter } from './compressor';
import { corsFilter } from './cors';
import { extAuthzFilter } from './ext-authz';
import { gatewayAuthorizationFilter } from './gateway-authorization';
import { grpcJsonTranscoderFilter } from './grpc-json-transcoder';
import { grpcWebFilter } from './grpc-web';
import { jwtAuthnFilter } from './jwt-authn';
import { localRateLimitFilter } from './local-ratelimit';
import { rateLimitFilter } from './ratelimit';
import { consumerRbacFilter, ipRbacFilter } from './rbac';
import { routerFilter } from './router';
import { faultFilter } from '../mesh/fault-filter';
import type { FilterChainContext, HttpFilterInstance, HttpFilterModule } from './types';

export const HTTP_FILTER_ORDER: readonly HttpFilterModule[] = [
  corsFilter,
  ipRbacFilter,
  extAuthzFilter,
  jwtAuthnFilter,
  basicAuthFilter,
  apiKeyAuthFilter,
  consumerRbacFilter,
  gatewayAuthorizationFilter,
  localRateLimitFilter,
  rateLimitFilter,
  bufferFilter,
  grpcWebFilter,
  compressorFilter,
  faultFilter,
  grpcJsonTranscoderFilter,
  routerFilter,
];

/** The filter instances one filter chain needs, in execution order, router last. */
export function httpFiltersFor(ctx: FilterChainContext): HttpFilterInstance[] {
  return HTTP_FILTER_ORDER.flatMap((module) => module.instances(ctx));
}
