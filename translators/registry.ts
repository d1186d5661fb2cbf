// Every kind meshgate accepts: its apiVersions and the schema of its spec (or, for core Secret
// and Namespace, of its top-level fields).
import { anything, bool, map, obj, str, type Schema, type StringSchema } from './schema';
import { BASE64 } from './core/secrets';
import { CORE_V1, GATEWAY_V1, GATEWAY_V1BETA1, groupOf, MESHGATE_V1ALPHA1 } from './core/kinds';
import { gatewayClassSpec, gatewaySpec, referenceGrantSpec } from './gateway-api/schemas/gateway';
import { httpRouteSpec } from './gateway-api/schemas/http-route';
import { grpcRouteSpec } from './gateway-api/schemas/grpc-route';
import { PRIORITY_ANNOTATION, prioritySchema } from './gateway-api/priority';
import { backendSpec } from './meshgate/backend';
import { backendPolicySpec } from './meshgate/backend-policy';
import { consumerSpec } from './meshgate/consumer';
import { listenerPolicySpec } from './meshgate/listener-policy';
import { httpRouteFilterSpec } from './meshgate/http-route-filter';
import { securityPolicySpec } from './meshgate/security-policy';
import { trafficPolicySpec } from './meshgate/traffic-policy';

export interface KindSpec {
  /** All apiVersions share one group; a kind name may exist in other groups (Istio's Gateway). */
  readonly apiVersions: readonly string[];
  /** Schema of `spec`; undefined for kinds without one. */
  readonly spec?: Schema;
  /** Top-level fields besides apiVersion, kind, metadata (and spec when `spec` is set). */
  readonly topLevel?: Readonly<Record<string, Schema>>;
  /** Annotations meshgate reads on this kind, with the schema their value must meet. */
  readonly annotations?: Readonly<Record<string, StringSchema>>;
}

const routeAnnotations = { [PRIORITY_ANNOTATION]: prioritySchema };

const secretFields: Record<string, Schema> = {
  type: str({ minLength: 1 }),
  data: map(str({ check: (v) => (BASE64.test(v.replace(/\s+/g, '')) ? undefined : 'is not base64') })),
  stringData: map(str()),
  immutable: bool,
};

export const KINDS: Readonly<Record<string, KindSpec>> = {
  GatewayClass: { apiVersions: [GATEWAY_V1, GATEWAY_V1BETA1], spec: gatewayClassSpec },
  Gateway: { apiVersions: [GATEWAY_V1, GATEWAY_V1BETA1], spec: gatewaySpec },
  HTTPRoute: { apiVersions: [GATEWAY_V1, GATEWAY_V1BETA1], spec: httpRouteSpec, annotations: routeAnnotations },
  GRPCRoute: { apiVersions: [GATEWAY_V1], spec: grpcRouteSpec, annotations: routeAnnotations },
  ReferenceGrant: { apiVersions: [GATEWAY_V1, GATEWAY_V1BETA1], spec: referenceGrantSpec },
  Secret: { apiVersions: [CORE_V1], topLevel: { ...secretFields, spec: obj(secretFields) } },
  Namespace: { apiVersions: [CORE_V1], topLevel: { spec: anything } },
  Backend: { apiVersions: [MESHGATE_V1ALPHA1], spec: backendSpec },
  Consumer: { apiVersions: [MESHGATE_V1ALPHA1], spec: consumerSpec },
  SecurityPolicy: { apiVersions: [MESHGATE_V1ALPHA1], spec: securityPolicySpec },
  TrafficPolicy: { apiVersions: [MESHGATE_V1ALPHA1], spec: trafficPolicySpec },
  BackendPolicy: { apiVersions: [MESHGATE_V1ALPHA1], spec: backendPolicySpec },
  ListenerPolicy: { apiVersions: [MESHGATE_V1ALPHA1], spec: listenerPolicySpec },
  HTTPRouteFilter: { apiVersions: [MESHGATE_V1ALPHA1], spec: httpRouteFilterSpec },
  ClientTrafficPolicy: { apiVersions: [MESHGATE_V1ALPHA1], spec: listenerPolicySpec },
};

export const KIND_NAMES = Object.keys(KINDS).sort();

/** The spec for a document's kind and apiVersion group; undefined when meshgate does not read it. */
export function kindSpecOf(kind: string, apiVersion: string): KindSpec | undefined {
  const spec = KINDS[kind];
  if (!spec) return undefined;
  return spec.apiVersions.some((v) => groupOf(v) === groupOf(apiVersion)) ? spec : undefined;
}
