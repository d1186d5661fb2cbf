// The xDS gRPC services, defined by hand: method paths from the Envoy protos, requests decoded by
// wire.ts (a decode failure becomes a value, so the stream can answer INVALID_ARGUMENT itself
// instead of grpc-js' INTERNAL), responses already encoded when they reach gRPC.
import type * as grpc from '@grpc/grpc-js';
import { TypeUrl, type ResourceTypeUrl } from '../envoy/type-urls';
import { decodeDeltaRequest, decodeSotwRequest, type DeltaRequest, type SotwRequest } from './wire';
import type { Decoded, ServiceKind } from './xds-stream';

export interface XdsServiceSpec {
  /** Full service name, e.g. "envoy.service.cluster.v3.ClusterDiscoveryService". */
  readonly service: string;
  readonly kind: ServiceKind;
  /** The single type a non-aggregated service serves. */
  readonly typeUrl: ResourceTypeUrl | undefined;
  readonly sotwMethod: string;
  readonly deltaMethod: string;
}

export const XDS_SERVICES: readonly XdsServiceSpec[] = [
  {
    service: 'envoy.service.discovery.v3.AggregatedDiscoveryService',
    kind: 'ads',
    typeUrl: undefined,
    sotwMethod: 'StreamAggregatedResources',
    deltaMethod: 'DeltaAggregatedResources',
  },
  { service: 'envoy.service.listener.v3.ListenerDiscoveryService', kind: 'lds', typeUrl: TypeUrl.Listener, sotwMethod: 'StreamListeners', deltaMethod: 'DeltaListeners' },
  { service: 'envoy.service.route.v3.RouteDiscoveryService', kind: 'rds', typeUrl: TypeUrl.RouteConfiguration, sotwMethod: 'StreamRoutes', deltaMethod: 'DeltaRoutes' },
  { service: 'envoy.service.cluster.v3.ClusterDiscoveryService', kind: 'cds', typeUrl: TypeUrl.Cluster, sotwMethod: 'StreamClusters', deltaMethod: 'DeltaClusters' },
  { service: 'envoy.service.endpoint.v3.EndpointDiscoveryService', kind: 'eds', typeUrl: TypeUrl.ClusterLoadAssignment, sotwMethod: 'StreamEndpoints', deltaMethod: 'DeltaEndpoints' },
  { service: 'envoy.service.secret.v3.SecretDiscoveryService', kind: 'sds', typeUrl: TypeUrl.Secret, sotwMethod: 'StreamSecrets', deltaMethod: 'DeltaSecrets' },
];

function safely<R>(decode: (bytes: Uint8Array) => R): (bytes: Buffer) => Decoded<R> {
  return (bytes) => {
    try {
      return { ok: true, value: decode(bytes) };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  };
}

function serverOnly(): never {
  throw new Error('this service definition is for serving, not for calling');
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function method<R>(spec: XdsServiceSpec, name: string, decode: (bytes: Uint8Array) => R): grpc.MethodDefinition<Decoded<R>, Buffer> {
  return {
    path: `/${spec.service}/${name}`,
    requestStream: true,
    responseStream: true,
    requestSerialize: serverOnly,
    requestDeserialize: safely(decode),
    responseSerialize: (response: Buffer) => response,
    responseDeserialize: (bytes: Buffer) => bytes,
    originalName: lowerFirst(name),
  };
}

export interface XdsServiceDefinition {
  readonly spec: XdsServiceSpec;
  readonly definition: grpc.ServiceDefinition;
  readonly sotw: grpc.MethodDefinition<Decoded<SotwRequest>, Buffer>;
  readonly delta: grpc.MethodDefinition<Decoded<DeltaRequest>, Buffer>;
}

export function xdsServiceDefinition(spec: XdsServiceSpec): XdsServiceDefinition {
  const sotw = method(spec, spec.sotwMethod, decodeSotwRequest);
  const delta = method(spec, spec.deltaMethod, decodeDeltaRequest);
  const definition: grpc.ServiceDefinition = { [spec.sotwMethod]: sotw, [spec.deltaMethod]: delta };
  return { spec, definition, sotw, delta };
}
