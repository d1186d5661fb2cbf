// One ADS stream that subscribes the way Envoy does with the demo's bootstraps (ads_config, CDS and
// LDS over ADS, set_node_on_first_message_only): CDS and LDS as wildcards, then EDS for the EDS
// clusters, RDS for the route configurations the listeners name and SDS for the secrets listeners
// and clusters name; every response is ACKed with the names subscribed. It keeps the latest
// resources of each type, so a test can read what a proxy with this node would be running.
import type { EnvoyResource, JsonObject, JsonValue } from '../../src/envoy/resource';
import { TypeUrl, type ResourceTypeUrl } from '../../src/envoy/type-urls';
import { RawXdsClient, type SotwClientStream, type SotwResponse } from '../server/raw-client';

const WILDCARD_TYPES: readonly string[] = [TypeUrl.Cluster, TypeUrl.Listener];

function* objectsIn(value: JsonValue): Generator<JsonObject> {
  if (Array.isArray(value)) for (const v of value) yield* objectsIn(v);
  else if (typeof value === 'object' && value !== null) {
    yield value;
    for (const v of Object.values(value)) yield* objectsIn(v);
  }
}

/** Names of SDS secrets a resource asks for (every {name, sds_config} pair in it). */
function secretNames(json: JsonObject): string[] {
  return [...objectsIn(json)].flatMap((o) => (typeof o['name'] === 'string' && typeof o['sds_config'] === 'object' && o['sds_config'] !== null ? [o['name']] : []));
}

function routeConfigNames(listener: JsonObject): string[] {
  return [...objectsIn(listener)].flatMap((o) => {
    const rds = o['rds'];
    return typeof rds === 'object' && rds !== null && !Array.isArray(rds) && typeof rds['route_config_name'] === 'string' ? [rds['route_config_name']] : [];
  });
}

function edsServiceName(cluster: JsonObject): string | undefined {
  if (cluster['type'] !== 'EDS') return undefined;
  const eds = cluster['eds_cluster_config'];
  const service = typeof eds === 'object' && eds !== null && !Array.isArray(eds) ? eds['service_name'] : undefined;
  return typeof service === 'string' && service !== '' ? service : String(cluster['name']);
}

const sorted = (names: Iterable<string>): string[] => [...new Set(names)].sort();

export class EnvoyLikeClient {
  private readonly client: RawXdsClient;
  private readonly stream: SotwClientStream;
  private readonly latest = new Map<string, SotwResponse>();
  private readonly subscribed = new Map<string, string[]>();
  private lastActivity = Date.now();
  private closed = false;
  private failure: Error | undefined;
  /** Every response received, in order (the version history a proxy went through). */
  readonly responses: SotwResponse[] = [];

  constructor(address: string, node: JsonObject) {
    this.client = new RawXdsClient(address);
    // Envoy names itself in user_agent_name; the rest of the node is the bootstrap's.
    this.stream = this.client.sotw({ node: { ...node, user_agent_name: 'envoy' } });
    for (const typeUrl of WILDCARD_TYPES) {
      this.subscribed.set(typeUrl, []);
      this.stream.send({ typeUrl, resourceNames: [] });
    }
    void this.run();
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      let response: SotwResponse;
      try {
        response = await this.stream.next(3_600_000);
      } catch (err) {
        if (!this.closed) this.failure = err as Error;
        return;
      }
      this.lastActivity = Date.now();
      this.responses.push(response);
      this.latest.set(response.typeUrl, response);
      this.stream.ack(response, this.subscribed.get(response.typeUrl) ?? []);
      this.resubscribe();
    }
  }

  /** EDS, RDS and SDS follow what the clusters and listeners name, as Envoy's subscriptions do. */
  private resubscribe(): void {
    const clusters = this.jsonOf(TypeUrl.Cluster);
    const listeners = this.jsonOf(TypeUrl.Listener);
    const wanted = new Map<string, string[]>([
      [TypeUrl.ClusterLoadAssignment, sorted(clusters.flatMap((c) => edsServiceName(c) ?? []))],
      [TypeUrl.RouteConfiguration, sorted(listeners.flatMap(routeConfigNames))],
      [TypeUrl.Secret, sorted([...clusters, ...listeners].flatMap(secretNames))],
    ]);
    for (const [typeUrl, names] of wanted) {
      const before = this.subscribed.get(typeUrl);
      if (names.length === 0 && before === undefined) continue;
      if (before && before.join('\n') === names.join('\n')) continue;
      this.subscribed.set(typeUrl, names);
      const last = this.latest.get(typeUrl);
      this.stream.send({ typeUrl, resourceNames: names, versionInfo: last?.versionInfo ?? '', responseNonce: last?.nonce ?? '' });
    }
  }

  private jsonOf(typeUrl: string): JsonObject[] {
    return (this.latest.get(typeUrl)?.resources ?? []).map((r) => r.json);
  }

  /**
   * Resolves once nothing has arrived for `quietMs`, counted from `since` at the earliest (so a push
   * the server is about to send is waited for), and `ready()` holds.
   */
  async settle(options: { quietMs?: number; timeoutMs?: number; since?: number; ready?: () => boolean } = {}): Promise<void> {
    const { quietMs = 400, timeoutMs = 15_000, since = Date.now(), ready = () => true } = options;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.failure) throw this.failure;
      const idle = Date.now() - Math.max(this.lastActivity, since);
      if (idle >= quietMs && this.latest.has(TypeUrl.Cluster) && this.latest.has(TypeUrl.Listener) && ready()) return;
      if (Date.now() > deadline) throw new Error(`not settled after ${timeoutMs} ms (still receiving, never got CDS and LDS, or behind the server)`);
      await new Promise((r) => setTimeout(r, Math.max(20, quietMs - idle)));
    }
  }

  /** The version of the last response of a type. */
  versionOf(typeUrl: string): string | undefined {
    return this.latest.get(typeUrl)?.versionInfo;
  }

  /** The resources the proxy holds now, every type. */
  resources(): EnvoyResource[] {
    return [...this.latest.values()].flatMap((r) => r.resources.map((d) => ({ typeUrl: d.typeUrl as ResourceTypeUrl, name: d.name, json: d.json })));
  }

  namesOf(typeUrl: string): string[] {
    return sorted((this.latest.get(typeUrl)?.resources ?? []).map((r) => r.name));
  }

  /** The names this client subscribed to for a type (the names Envoy would ask for). */
  subscriptionOf(typeUrl: string): readonly string[] {
    return this.subscribed.get(typeUrl) ?? [];
  }

  close(): void {
    this.closed = true;
    this.stream.cancel();
    this.client.close();
  }
}
