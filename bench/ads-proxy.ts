// A stand-in for Envoy on one SotW ADS stream: it subscribes to clusters and listeners (wildcard),
// then to the endpoints and route configurations they name, and ACKs every response the way Envoy
// does (new subscriptions first, then the ACK). It keeps only what the bench checks (names, and per
// virtual host domain the first route's path prefix) and the time of every ACK it sends.
//
// Decoding uses protobufjs messages directly (not the JSON codec) to keep the client's share of the
// process's CPU small; that share is still measured and reported (`decodeMs`).
import * as grpc from '@grpc/grpc-js';
import type { Type } from 'protobufjs';
import { envoyApi } from '../src/envoy/api';
import { TypeUrl } from '../src/envoy/type-urls';
import type { JsonObject } from '../src/envoy/resource';
import { ADS_SOTW, encodeSotwRequest } from '../test/server/raw-client';

const HCM_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const EDS_DISCOVERY_TYPE = 3;

interface AnyMsg { type_url: string; value: Uint8Array }
interface ResponseMsg { version_info: string; type_url: string; nonce: string; resources: AnyMsg[] }
interface ClusterMsg { name: string; type?: number; eds_cluster_config?: { service_name?: string } | null }
interface FilterMsg { typed_config?: AnyMsg | null }
interface ListenerMsg { name: string; filter_chains: { filters: FilterMsg[] }[]; default_filter_chain?: { filters: FilterMsg[] } | null }
interface HcmMsg { rds?: { route_config_name?: string } | null }
interface RouteMsg { name: string; virtual_hosts: { domains: string[]; routes: { match?: { prefix?: string; path?: string; path_separated_prefix?: string } | null }[] }[] }

/** What the proxy holds now. */
export interface ProxyState {
  readonly clusters: Set<string>;
  readonly edsNames: Set<string>;
  readonly assignments: Set<string>;
  readonly listeners: Set<string>;
  readonly routeConfigs: Set<string>;
  /** Virtual host domain → the first route's path prefix (or exact path). */
  readonly hosts: Map<string, string>;
}

interface Waiter {
  readonly done: (s: ProxyState) => boolean;
  readonly resolve: (ackedAt: number) => void;
}

export class AdsProxy {
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<Buffer, Buffer>;
  private readonly types: { response: Type; cluster: Type; listener: Type; hcm: Type; route: Type };
  private sentNode = false;
  private readonly subscribed = new Map<string, string[]>();
  private waiters: Waiter[] = [];
  readonly state: ProxyState = {
    clusters: new Set(),
    edsNames: new Set(),
    assignments: new Set(),
    listeners: new Set(),
    routeConfigs: new Set(),
    hosts: new Map(),
  };
  /** Time spent decoding responses in this process (part of every measured apply → ACK time). */
  decodeMs = 0;
  responses = 0;
  lastError: string | undefined;

  constructor(address: string, private readonly node: JsonObject) {
    const api = envoyApi();
    this.types = {
      response: api.messageType('envoy.service.discovery.v3.DiscoveryResponse'),
      cluster: api.messageType('envoy.config.cluster.v3.Cluster'),
      listener: api.messageType('envoy.config.listener.v3.Listener'),
      hcm: api.messageType('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager'),
      route: api.messageType('envoy.config.route.v3.RouteConfiguration'),
    };
    // Envoy takes responses of any size; grpc-js would cap them at 4 MiB.
    this.client = new grpc.Client(address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 });
    this.call = this.client.makeBidiStreamRequest(ADS_SOTW, (b: Buffer) => b, (b: Buffer) => b);
    this.call.on('data', (b: Buffer) => this.onResponse(b));
    this.call.on('error', (err: Error) => {
      this.lastError = err.message;
    });
    this.subscribe(TypeUrl.Cluster, []);
    this.subscribe(TypeUrl.Listener, []);
  }

  /** Resolves with the time of the ACK after which `done` holds (now, if it already does). */
  until(done: (s: ProxyState) => boolean, timeoutMs = 30_000): Promise<number> {
    if (done(this.state)) return Promise.resolve(performance.now());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`proxy did not converge within ${timeoutMs} ms (${this.lastError ?? 'no stream error'})`)), timeoutMs);
      this.waiters.push({ done, resolve: (at) => { clearTimeout(timer); resolve(at); } });
    });
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }

  private send(typeUrl: string, versionInfo: string, nonce: string, names: readonly string[]): void {
    const node = this.sentNode ? null : this.node;
    this.sentNode = true;
    this.call.write(encodeSotwRequest({ typeUrl, versionInfo, responseNonce: nonce, resourceNames: names }, node));
  }

  private subscribe(typeUrl: string, names: string[]): void {
    this.subscribed.set(typeUrl, names);
    this.send(typeUrl, '', '', names);
  }

  /** Change a named subscription when the names differ (Envoy re-requests with the new set). */
  private resubscribe(typeUrl: string, wanted: Set<string>): void {
    const current = this.subscribed.get(typeUrl);
    if (current && current.length === wanted.size && current.every((n) => wanted.has(n))) return;
    const names = [...wanted].sort();
    this.subscribed.set(typeUrl, names);
    this.send(typeUrl, '', '', names);
  }

  private onResponse(bytes: Buffer): void {
    const started = performance.now();
    this.responses++;
    const r = this.types.response.decode(bytes) as unknown as ResponseMsg;
    switch (r.type_url) {
      case TypeUrl.Cluster: this.onClusters(r); break;
      case TypeUrl.ClusterLoadAssignment: this.onAssignments(r); break;
      case TypeUrl.Listener: this.onListeners(r); break;
      case TypeUrl.RouteConfiguration: this.onRoutes(r); break;
      default: break;
    }
    this.decodeMs += performance.now() - started;
    // ACK with the subscription the proxy now holds.
    this.send(r.type_url, r.version_info, r.nonce, this.subscribed.get(r.type_url) ?? []);
    const ackedAt = performance.now();
    this.settle(ackedAt);
  }

  private settle(ackedAt: number): void {
    if (this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.done(this.state)) w.resolve(ackedAt);
      else still.push(w);
    }
    this.waiters = still;
  }

  private onClusters(r: ResponseMsg): void {
    const { clusters, edsNames } = this.state;
    clusters.clear();
    edsNames.clear();
    for (const any of r.resources) {
      const c = this.types.cluster.decode(any.value) as unknown as ClusterMsg;
      clusters.add(c.name);
      if (c.type === EDS_DISCOVERY_TYPE) edsNames.add(c.eds_cluster_config?.service_name || c.name);
    }
    this.resubscribe(TypeUrl.ClusterLoadAssignment, edsNames);
  }

  private onAssignments(r: ResponseMsg): void {
    // Named type: a response carries updates; names the proxy no longer wants are dropped.
    for (const any of r.resources) {
      // The name is field 1 of ClusterLoadAssignment: read it without decoding the endpoints.
      this.state.assignments.add(readFirstString(any.value));
    }
    for (const n of this.state.assignments) if (!this.state.edsNames.has(n)) this.state.assignments.delete(n);
  }

  private onListeners(r: ResponseMsg): void {
    const { listeners } = this.state;
    listeners.clear();
    const routeNames = new Set<string>();
    for (const any of r.resources) {
      const l = this.types.listener.decode(any.value) as unknown as ListenerMsg;
      listeners.add(l.name);
      const chains = [...l.filter_chains, ...(l.default_filter_chain ? [l.default_filter_chain] : [])];
      for (const chain of chains) {
        for (const f of chain.filters) {
          if (f.typed_config?.type_url !== HCM_TYPE) continue;
          const hcm = this.types.hcm.decode(f.typed_config.value) as unknown as HcmMsg;
          if (hcm.rds?.route_config_name) routeNames.add(hcm.rds.route_config_name);
        }
      }
    }
    this.resubscribe(TypeUrl.RouteConfiguration, routeNames);
  }

  private onRoutes(r: ResponseMsg): void {
    // The gateway has one route configuration, so a response carrying it replaces every host.
    if (r.resources.length > 0) this.state.hosts.clear();
    for (const any of r.resources) {
      const rc = this.types.route.decode(any.value) as unknown as RouteMsg;
      this.state.routeConfigs.add(rc.name);
      for (const vh of rc.virtual_hosts) {
        const first = vh.routes[0]?.match;
        const prefix = first?.prefix || first?.path_separated_prefix || first?.path || '';
        for (const d of vh.domains) this.state.hosts.set(d, prefix);
      }
    }
  }
}

/** Field 1 (a length-delimited string) of an encoded message, as protobuf lays it out first. */
function readFirstString(bytes: Uint8Array): string {
  if (bytes[0] !== 0x0a) return '';
  let len = 0;
  let shift = 0;
  let i = 1;
  for (;;) {
    const b = bytes[i++]!;
    len |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset + i, len).toString('utf8');
}
