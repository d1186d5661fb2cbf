// Security and traffic policies attached to a virtual host or a route. Each field is one feature;
// src/xds/ turns each into one HTTP filter (listener level) plus its per-route configuration.
// Credentials arrive here already resolved from the input's consumers and secrets.
import type { FaultPolicy } from './mesh';

export interface RoutePolicy {
  readonly jwt?: JwtPolicy;
  readonly apiKey?: ApiKeyPolicy;
  readonly basicAuth?: BasicAuthPolicy;
  readonly extAuthz?: ExtAuthzPolicy;
  readonly ipAccess?: IpAccessPolicy;
  /** Allow only these consumers (after authentication); Kong's acl, Istio's principals. */
  readonly consumers?: ConsumerAccessPolicy;
  readonly cors?: CorsPolicy;
  readonly localRateLimit?: LocalRateLimitPolicy;
  readonly globalRateLimit?: GlobalRateLimitPolicy;
  /** Reject request bodies larger than this with 413. */
  readonly maxRequestBodyBytes?: number;
  /** Delay or abort a percentage of requests (Istio VirtualService fault). */
  readonly fault?: FaultPolicy;
  /** Answer JSON/HTTP requests by calling the backend's gRPC methods (Kong grpc-gateway). */
  readonly grpcJsonTranscoder?: GrpcJsonTranscoderPolicy;
}

/**
 * JSON ⇄ gRPC transcoding (envoy.filters.http.grpc_json_transcoder): requests matching a method's
 * google.api.http rule are sent to the backend as that gRPC call, and its answer comes back as JSON.
 * The route's backends must speak HTTP/2.
 */
export interface GrpcJsonTranscoderPolicy {
  /** A google.protobuf.FileDescriptorSet (base64): the user's .proto and every file it imports, dependencies first. */
  readonly descriptorSetBase64: string;
  /** Fully qualified services to transcode, e.g. "hello.HelloService". */
  readonly services: readonly string[];
  /** How the JSON answers are printed (Envoy PrintOptions); absent fields are off. */
  readonly printOptions?: {
    readonly addWhitespace?: boolean;
    readonly alwaysPrintPrimitiveFields?: boolean;
    readonly alwaysPrintEnumsAsInts?: boolean;
    readonly preserveProtoFieldNames?: boolean;
    readonly streamNewlineDelimited?: boolean;
  };
}

export interface JwtPolicy {
  readonly providers: readonly JwtProvider[];
  /** A request without a token passes (the route may still require a consumer). */
  readonly allowMissing?: boolean;
}

export interface JwtProvider {
  /** Unique per proxy; the jwt_authn provider name. */
  readonly name: string;
  readonly issuer?: string;
  readonly audiences?: readonly string[];
  readonly jwks:
    | { readonly type: 'remote'; readonly uri: string; readonly cluster: string; readonly timeoutMs: number; readonly cacheDurationSeconds?: number }
    | { readonly type: 'local'; readonly inline: string };
  /** Where to find the token; default Authorization: Bearer. */
  readonly fromHeaders?: readonly { readonly name: string; readonly valuePrefix?: string }[];
  readonly fromParams?: readonly string[];
  /** Keep the token in the request sent upstream. */
  readonly forward?: boolean;
  readonly claimToHeaders?: readonly { readonly claim: string; readonly header: string }[];
  /**
   * Write the validated payload to dynamic metadata (namespace envoy.filters.http.jwt_authn) under
   * this key, so RBAC can match request principals and claims (mesh authorization).
   */
  readonly payloadInMetadata?: string;
}

/** API keys looked up in a header, query parameter or cookie; 401 when missing or unknown. */
export interface ApiKeyPolicy {
  readonly keys: readonly { readonly consumer: string; readonly key: string }[];
  readonly sources: readonly ({ readonly header: string } | { readonly query: string } | { readonly cookie: string })[];
  /** Header that carries the authenticated consumer's name upstream. */
  readonly consumerHeader?: string;
  /** Remove the credential before forwarding. */
  readonly hideCredentials?: boolean;
}

export interface BasicAuthPolicy {
  /** htpasswd users; passwords only as {SHA} hashes (what Envoy's basic_auth accepts). */
  readonly users: readonly { readonly consumer: string; readonly sha1Base64: string }[];
  readonly consumerHeader?: string;
}

export interface ExtAuthzPolicy {
  readonly cluster: string;
  readonly protocol: 'grpc' | 'http';
  /** HTTP only: path prefix on the auth service. */
  readonly pathPrefix?: string;
  readonly timeoutMs: number;
  readonly failOpen: boolean;
  /** Request headers sent to the auth service (HTTP); all are sent for gRPC. */
  readonly allowedHeaders?: readonly string[];
}

export interface IpAccessPolicy {
  /** CIDRs. With allow set, anything else is denied. Deny wins over allow. */
  readonly allow?: readonly string[];
  readonly deny?: readonly string[];
  /** Use the client address from X-Forwarded-For (remote_ip) instead of the peer (direct_remote_ip). */
  readonly useForwardedFor?: boolean;
  readonly denyStatus?: number;
}

export interface ConsumerAccessPolicy {
  /** Request header that carries the authenticated consumer (set by an auth policy above). */
  readonly header: string;
  readonly allow?: readonly string[];
  readonly deny?: readonly string[];
}

export interface CorsPolicy {
  /** Exact origins, or "*"; entries starting with "~" are regular expressions. */
  readonly allowOrigins: readonly string[];
  readonly allowMethods?: readonly string[];
  readonly allowHeaders?: readonly string[];
  readonly exposeHeaders?: readonly string[];
  readonly maxAgeSeconds?: number;
  readonly allowCredentials?: boolean;
}

/** Token bucket per route, optionally one bucket per client IP or header value. */
export interface LocalRateLimitPolicy {
  readonly requests: number;
  readonly perSeconds: number;
  readonly key?: RateLimitKey;
  /** Add X-RateLimit-* headers to responses. */
  readonly headers?: boolean;
}

export type RateLimitUnit = 'second' | 'minute' | 'hour' | 'day' | 'month' | 'year';

/** `requests` per `unit`; windows are aligned on the UTC calendar. */
export interface RateLimitWindow {
  readonly requests: number;
  readonly unit: RateLimitUnit;
}

/**
 * Counted by meshgate's RateLimitService (in memory or Redis), so limits hold across proxies.
 * requests/unit is the first window; `additionalLimits` are further windows, all enforced (a request
 * over any of them is limited; every window counts every request).
 */
export interface GlobalRateLimitPolicy {
  readonly requests: number;
  readonly unit: RateLimitUnit;
  readonly additionalLimits?: readonly RateLimitWindow[];
  readonly key?: RateLimitKey;
  /** Descriptor value unique to this policy so that limits of different routes never share counters. */
  readonly id: string;
  /**
   * Rate limit headers on responses: absent or "draft03" Envoy's X-RateLimit-Limit/-Remaining/-Reset
   * (IETF draft 03); "none" no headers; "kong" Kong's headers, written by meshgate's RateLimitService.
   */
  readonly responseHeaders?: 'none' | 'draft03' | 'kong';
  /** Let requests through (true) or refuse them (false) when the service cannot answer; absent: the proxy's setting. */
  readonly failOpen?: boolean;
  /** Other limits for requests whose `header` holds one of an override's values, counted apart from the default ones. */
  readonly overrides?: readonly RateLimitOverride[];
}

/** Every override of one policy reads the same header; a value belongs to at most one override. */
export interface RateLimitOverride {
  /** Lower-case header name. */
  readonly header: string;
  /** Exact header values. */
  readonly values: readonly string[];
  /** The windows that replace the policy's own for these requests (the first one is primary). */
  readonly limits: readonly RateLimitWindow[];
}

/** Counters per client IP, per value of a header, or per request path (without the query string). */
export type RateLimitKey = { readonly type: 'clientIP' } | { readonly type: 'header'; readonly name: string } | { readonly type: 'path' };
