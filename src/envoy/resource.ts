// The shape in which every stage after the IR passes Envoy resources around: Envoy's canonical
// JSON (proto3 JSON with proto field names, as Envoy's config_dump prints it; an Any carries
// "@type" next to the packed message's fields; Durations are strings such as "1.5s").
import type { ResourceTypeUrl } from './type-urls';

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export interface EnvoyResource {
  readonly typeUrl: ResourceTypeUrl;
  /** The resource name (Listener.name, Cluster.name, ClusterLoadAssignment.cluster_name, ...). */
  readonly name: string;
  /** The resource in Envoy's canonical JSON form, without a top-level "@type". */
  readonly json: JsonObject;
}
