// envoy.service.status.v3.ClientStatusDiscoveryService on @grpc/grpc-js: FetchClientStatus
// (unary) and StreamClientStatus (one response per request on a bidi stream), answered from the
// proxy status registry and the snapshot cache. Messages are (de)serialised with the protobufjs
// types of the loaded Envoy API, so no generated code is involved.
import * as grpc from '@grpc/grpc-js';
import { envoyApi } from '../envoy/api';
import { clientStatusResponse, type ClientStatusQuery, type ClientStatusResponseObject } from './csds-response';
import { NodeMatcherError } from './node-matcher';
import type { ProxyStatusRegistry, SnapshotReader } from './proxy-status';

export const CSDS_SERVICE_NAME = 'envoy.service.status.v3.ClientStatusDiscoveryService';

export interface CsdsDependencies {
  readonly registry: ProxyStatusRegistry;
  readonly snapshots: SnapshotReader;
  /**
   * CSDS shows every proxy's configuration, so it is an operator's call, not a proxy's: return
   * undefined to allow the caller, or the reason it is refused (answered as PERMISSION_DENIED).
   */
  readonly authorize?: (metadata: grpc.Metadata, peer: string) => string | undefined;
}

const toObjectOptions = { enums: String, longs: Number, defaults: false, arrays: true } as const;

function requestType() {
  return envoyApi().messageType('envoy.service.status.v3.ClientStatusRequest');
}

function responseType() {
  return envoyApi().messageType('envoy.service.status.v3.ClientStatusResponse');
}

function serializeResponse(value: ClientStatusResponseObject): Buffer {
  const type = responseType();
  return Buffer.from(type.encode(type.fromObject(value)).finish());
}

function deserializeResponse(bytes: Buffer): Record<string, unknown> {
  const type = responseType();
  return type.toObject(type.decode(bytes), toObjectOptions);
}

function serializeRequest(value: Record<string, unknown>): Buffer {
  const type = requestType();
  return Buffer.from(type.encode(type.fromObject(value)).finish());
}

function deserializeRequest(bytes: Buffer): ClientStatusQuery {
  const type = requestType();
  return type.toObject(type.decode(bytes), toObjectOptions) as ClientStatusQuery;
}

let definition: grpc.ServiceDefinition | undefined;

/** The service definition (also usable to build a client with grpc.makeGenericClientConstructor). */
export function csdsServiceDefinition(): grpc.ServiceDefinition {
  if (definition) return definition;
  const method = (name: string, requestStream: boolean, responseStream: boolean) => ({
    path: `/${CSDS_SERVICE_NAME}/${name}`,
    requestStream,
    responseStream,
    requestSerialize: serializeRequest,
    requestDeserialize: deserializeRequest,
    responseSerialize: serializeResponse,
    responseDeserialize: deserializeResponse,
    originalName: name,
  });
  definition = {
    StreamClientStatus: method('StreamClientStatus', true, true),
    FetchClientStatus: method('FetchClientStatus', false, false),
  } as grpc.ServiceDefinition;
  return definition;
}

/** A generic client for the service (tools and tests); messages are plain objects. */
export function csdsClientConstructor(): grpc.ServiceClientConstructor {
  return grpc.makeGenericClientConstructor(csdsServiceDefinition(), 'ClientStatusDiscoveryService');
}

type Answer = { readonly response: ClientStatusResponseObject } | { readonly error: Partial<grpc.StatusObject> };

function answer(deps: CsdsDependencies, query: ClientStatusQuery, call: { metadata: grpc.Metadata; getPeer(): string }): Answer {
  const refused = deps.authorize?.(call.metadata, call.getPeer());
  if (refused !== undefined) return { error: { code: grpc.status.PERMISSION_DENIED, details: refused } };
  try {
    return { response: clientStatusResponse(query, deps.registry, deps.snapshots) };
  } catch (err) {
    const code = err instanceof NodeMatcherError ? grpc.status.INVALID_ARGUMENT : grpc.status.INTERNAL;
    return { error: { code, details: (err as Error).message } };
  }
}

/** Adds CSDS to a gRPC server (before or after bind; grpc-js accepts both). */
export function registerCsdsService(server: grpc.Server, deps: CsdsDependencies): void {
  server.addService(csdsServiceDefinition(), {
    FetchClientStatus(
      call: grpc.ServerUnaryCall<ClientStatusQuery, ClientStatusResponseObject>,
      callback: grpc.sendUnaryData<ClientStatusResponseObject>,
    ): void {
      const result = answer(deps, call.request, call);
      if ('error' in result) callback(result.error as grpc.ServiceError);
      else callback(null, result.response);
    },
    StreamClientStatus(call: grpc.ServerDuplexStream<ClientStatusQuery, ClientStatusResponseObject>): void {
      call.on('data', (query: ClientStatusQuery) => {
        const result = answer(deps, query, call);
        if ('error' in result) call.emit('error', result.error);
        else call.write(result.response);
      });
      call.on('end', () => call.end());
    },
  });
}
