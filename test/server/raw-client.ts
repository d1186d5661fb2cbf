// A scripted xDS client for protocol tests: opens SotW or Delta streams over real gRPC, sends
// exactly the requests a test writes, and lets it await (or assert the absence of) responses.
// Requests are encoded and responses decoded with the Envoy protos, independently of the server's
// hand-written wire code.
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { envoyApi } from '../../src/envoy/api';
import { decodeAny, encodeMessage } from '../../src/envoy/codec';
import type { JsonObject } from '../../src/envoy/resource';

export const ADS_SOTW = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';
export const ADS_DELTA = '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources';
export const CDS_SOTW = '/envoy.service.cluster.v3.ClusterDiscoveryService/StreamClusters';
export const CDS_DELTA = '/envoy.service.cluster.v3.ClusterDiscoveryService/DeltaClusters';
export const EDS_SOTW = '/envoy.service.endpoint.v3.EndpointDiscoveryService/StreamEndpoints';
export const EDS_DELTA = '/envoy.service.endpoint.v3.EndpointDiscoveryService/DeltaEndpoints';
export const LDS_SOTW = '/envoy.service.listener.v3.ListenerDiscoveryService/StreamListeners';
export const RDS_SOTW = '/envoy.service.route.v3.RouteDiscoveryService/StreamRoutes';
export const SDS_DELTA = '/envoy.service.secret.v3.SecretDiscoveryService/DeltaSecrets';

export const DEFAULT_NODE: JsonObject = { id: 'test-node', cluster: 'test-cluster' };

export interface DecodedResource {
  readonly typeUrl: string;
  readonly name: string;
  readonly json: JsonObject;
}

export interface SotwResponse {
  readonly versionInfo: string;
  readonly typeUrl: string;
  readonly nonce: string;
  readonly resources: DecodedResource[];
  readonly names: string[];
  readonly controlPlaneIdentifier: string | undefined;
  readonly bytes: number;
}

export interface DeltaResponse {
  readonly systemVersionInfo: string;
  readonly typeUrl: string;
  readonly nonce: string;
  readonly resources: { name: string; version: string; resource: DecodedResource; hasTtl: boolean }[];
  readonly names: string[];
  readonly removed: string[];
  readonly controlPlaneIdentifier: string | undefined;
  readonly bytes: number;
}

function resourceName(typeUrl: string, json: JsonObject): string {
  const key = typeUrl.endsWith('ClusterLoadAssignment') ? 'cluster_name' : 'name';
  return String(json[key] ?? '');
}

function decodeResource(any: { type_url: string; value: Uint8Array }): DecodedResource {
  const anyBytes = envoyApi().messageType('google.protobuf.Any').encode(any).finish();
  const { typeUrl, json } = decodeAny(anyBytes);
  return { typeUrl, name: resourceName(typeUrl, json), json };
}

interface AnyMessage {
  type_url: string;
  value: Uint8Array;
}

function decodeSotwResponse(bytes: Buffer): SotwResponse {
  const m = envoyApi().messageType('envoy.service.discovery.v3.DiscoveryResponse').decode(bytes) as unknown as {
    version_info: string;
    type_url: string;
    nonce: string;
    resources: AnyMessage[];
    control_plane?: { identifier: string } | null;
  };
  const resources = m.resources.map(decodeResource);
  return {
    versionInfo: m.version_info,
    typeUrl: m.type_url,
    nonce: m.nonce,
    resources,
    names: resources.map((r) => r.name),
    controlPlaneIdentifier: m.control_plane?.identifier,
    bytes: bytes.length,
  };
}

function decodeDeltaResponse(bytes: Buffer): DeltaResponse {
  const m = envoyApi().messageType('envoy.service.discovery.v3.DeltaDiscoveryResponse').decode(bytes) as unknown as {
    system_version_info: string;
    type_url: string;
    nonce: string;
    resources: { name: string; version: string; resource: AnyMessage; ttl?: unknown }[];
    removed_resources: string[];
    control_plane?: { identifier: string } | null;
  };
  const resources = m.resources.map((r) => ({
    name: r.name,
    version: r.version,
    resource: decodeResource(r.resource),
    hasTtl: Object.prototype.hasOwnProperty.call(r, 'ttl') && r.ttl != null,
  }));
  return {
    systemVersionInfo: m.system_version_info,
    typeUrl: m.type_url,
    nonce: m.nonce,
    resources,
    names: resources.map((r) => r.name),
    removed: [...m.removed_resources],
    controlPlaneIdentifier: m.control_plane?.identifier,
    bytes: bytes.length,
  };
}

/** Appends an encoded Node as field `field` to an encoded request (protobuf fields concatenate). */
function withNode(request: Uint8Array, field: number, node: JsonObject | Uint8Array | null | undefined): Buffer {
  if (!node) return Buffer.from(request);
  const nodeBytes = node instanceof Uint8Array ? node : encodeMessage('envoy.config.core.v3.Node', node);
  const tail = protobuf.Writer.create().uint32((field << 3) | 2).bytes(nodeBytes).finish();
  return Buffer.concat([request, tail]);
}

export interface ErrorDetail {
  readonly code: number;
  readonly message: string;
}

export interface SotwRequestFields {
  readonly typeUrl: string;
  readonly resourceNames?: readonly string[];
  readonly versionInfo?: string;
  readonly responseNonce?: string;
  readonly errorDetail?: ErrorDetail;
  /** The node; by default sent on the stream's first request only. null sends none. */
  readonly node?: JsonObject | Uint8Array | null;
}

export interface DeltaRequestFields {
  readonly typeUrl: string;
  readonly subscribe?: readonly string[];
  readonly unsubscribe?: readonly string[];
  readonly initialResourceVersions?: Record<string, string>;
  readonly responseNonce?: string;
  readonly errorDetail?: ErrorDetail;
  readonly node?: JsonObject | Uint8Array | null;
}

export function encodeSotwRequest(f: SotwRequestFields, node: JsonObject | Uint8Array | null | undefined): Buffer {
  const type = envoyApi().messageType('envoy.service.discovery.v3.DiscoveryRequest');
  const msg = type.fromObject({
    version_info: f.versionInfo ?? '',
    resource_names: [...(f.resourceNames ?? [])],
    type_url: f.typeUrl,
    response_nonce: f.responseNonce ?? '',
    ...(f.errorDetail ? { error_detail: f.errorDetail } : {}),
  });
  return withNode(type.encode(msg).finish(), 2, node);
}

export function encodeDeltaRequest(f: DeltaRequestFields, node: JsonObject | Uint8Array | null | undefined): Buffer {
  const type = envoyApi().messageType('envoy.service.discovery.v3.DeltaDiscoveryRequest');
  const msg = type.fromObject({
    type_url: f.typeUrl,
    resource_names_subscribe: [...(f.subscribe ?? [])],
    resource_names_unsubscribe: [...(f.unsubscribe ?? [])],
    initial_resource_versions: { ...(f.initialResourceVersions ?? {}) },
    response_nonce: f.responseNonce ?? '',
    ...(f.errorDetail ? { error_detail: f.errorDetail } : {}),
  });
  return withNode(type.encode(msg).finish(), 1, node);
}

/** Responses of one stream, awaited in order. */
export class ResponseQueue<T> {
  private readonly items: T[] = [];
  private readonly waiters: { resolve: (v: T) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
  private ended: Error | undefined;
  /** Every response ever received, in order. */
  readonly history: T[] = [];

  push(item: T): void {
    this.history.push(item);
    const waiter = this.waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(item);
    } else this.items.push(item);
  }

  end(reason: Error): void {
    this.ended = reason;
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(reason);
    }
  }

  get pending(): number {
    return this.items.length;
  }

  next(timeoutMs = 3000): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.findIndex((w) => w.timer === timer);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`no response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push({ resolve, reject, timer });
    });
  }

  /** Resolves when nothing arrives for `ms`; rejects with the response that did. */
  async expectNone(ms: number): Promise<void> {
    const already = this.items.shift();
    if (already !== undefined) throw new Error(`unexpected response: ${JSON.stringify(summary(already))}`);
    await new Promise((r) => setTimeout(r, ms));
    const late = this.items.shift();
    if (late !== undefined) throw new Error(`unexpected response: ${JSON.stringify(summary(late))}`);
  }
}

function summary(item: unknown): unknown {
  if (item && typeof item === 'object' && 'typeUrl' in item) {
    const r = item as { typeUrl: string; names?: string[]; removed?: string[]; nonce?: string };
    return { typeUrl: r.typeUrl, names: r.names, removed: r.removed, nonce: r.nonce };
  }
  return item;
}

abstract class RawStream<Req, Res> {
  readonly responses = new ResponseQueue<Res>();
  readonly status: Promise<grpc.StatusObject>;
  private sentNode = false;
  protected readonly call: grpc.ClientDuplexStream<Buffer, Buffer>;

  constructor(
    client: grpc.Client,
    path: string,
    decode: (b: Buffer) => Res,
    private readonly node: JsonObject | Uint8Array | null,
  ) {
    this.call = client.makeBidiStreamRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
    );
    this.status = new Promise((resolve) => {
      this.call.on('status', (s: grpc.StatusObject) => {
        this.responses.end(new Error(`stream ended: ${grpc.status[s.code]} ${s.details}`));
        resolve(s);
      });
    });
    this.call.on('error', () => {
      /* reported through 'status' */
    });
    this.call.on('data', (b: Buffer) => this.responses.push(decode(b)));
  }

  protected nodeFor(explicit: JsonObject | Uint8Array | null | undefined): JsonObject | Uint8Array | null {
    if (explicit !== undefined) {
      this.sentNode = true;
      return explicit;
    }
    if (this.sentNode) return null;
    this.sentNode = true;
    return this.node;
  }

  abstract send(request: Req): void;

  sendRaw(bytes: Buffer): void {
    this.call.write(bytes);
  }

  next(timeoutMs?: number): Promise<Res> {
    return this.responses.next(timeoutMs);
  }

  expectNone(ms: number): Promise<void> {
    return this.responses.expectNone(ms);
  }

  /** Stop reading responses (HTTP/2 flow control then pushes back on the server). */
  pause(): void {
    this.call.pause();
  }

  resume(): void {
    this.call.resume();
  }

  /** Half-close the stream. */
  end(): void {
    this.call.end();
  }

  cancel(): void {
    this.call.cancel();
  }
}

export class SotwClientStream extends RawStream<SotwRequestFields, SotwResponse> {
  constructor(client: grpc.Client, path: string, node: JsonObject | Uint8Array | null) {
    super(client, path, decodeSotwResponse, node);
  }

  send(f: SotwRequestFields): void {
    this.call.write(encodeSotwRequest(f, this.nodeFor(f.node)));
  }

  /** ACK a response, keeping (or changing) the subscribed names. */
  ack(response: SotwResponse, resourceNames: readonly string[] = []): void {
    this.send({ typeUrl: response.typeUrl, versionInfo: response.versionInfo, responseNonce: response.nonce, resourceNames });
  }

  nack(response: SotwResponse, keptVersion: string, message: string, resourceNames: readonly string[] = []): void {
    this.send({
      typeUrl: response.typeUrl,
      versionInfo: keptVersion,
      responseNonce: response.nonce,
      resourceNames,
      errorDetail: { code: 3, message },
    });
  }
}

export class DeltaClientStream extends RawStream<DeltaRequestFields, DeltaResponse> {
  constructor(client: grpc.Client, path: string, node: JsonObject | Uint8Array | null) {
    super(client, path, decodeDeltaResponse, node);
  }

  send(f: DeltaRequestFields): void {
    this.call.write(encodeDeltaRequest(f, this.nodeFor(f.node)));
  }

  ack(response: DeltaResponse): void {
    this.send({ typeUrl: response.typeUrl, responseNonce: response.nonce });
  }

  nack(response: DeltaResponse, message: string): void {
    this.send({ typeUrl: response.typeUrl, responseNonce: response.nonce, errorDetail: { code: 3, message } });
  }
}

export interface OpenOptions {
  readonly path?: string;
  /** Node sent on the first request (default DEFAULT_NODE); null for none. */
  readonly node?: JsonObject | Uint8Array | null;
}

/** One gRPC connection to the server, on which tests open as many streams as they like. */
export class RawXdsClient {
  readonly client: grpc.Client;

  constructor(address: string, options: grpc.ClientOptions = {}) {
    this.client = new grpc.Client(address, grpc.credentials.createInsecure(), options);
  }

  sotw(options: OpenOptions = {}): SotwClientStream {
    return new SotwClientStream(this.client, options.path ?? ADS_SOTW, options.node === undefined ? DEFAULT_NODE : options.node);
  }

  delta(options: OpenOptions = {}): DeltaClientStream {
    return new DeltaClientStream(this.client, options.path ?? ADS_DELTA, options.node === undefined ? DEFAULT_NODE : options.node);
  }

  close(): void {
    this.client.close();
  }
}
