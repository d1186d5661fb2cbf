// Builds envoy.service.status.v3.ClientStatusResponse: one ClientConfig per connected proxy, with a
// GenericXdsConfig per resource the proxy holds. Resource contents are the cache's pre-encoded Any
// bytes, passed through untouched, except when a resource carries sensitive fields (keys,
// passwords): those are redacted and re-encoded, because CSDS listens where proxies connect.
import protobuf from 'protobufjs';
import type { CachedResource } from '../cache/types';
import { envoyApi } from '../envoy/api';
import { encodeAny, encodeMessage } from '../envoy/codec';
import type { JsonObject } from '../envoy/resource';
import { PUSH_ORDER } from '../envoy/type-urls';
import type { NodeInfo } from '../server/observer';
import { matchesAnyNode } from './node-matcher';
import type { ProxyStatusRegistry, SnapshotReader } from './proxy-status';
import { REDACTED_BYTES_BASE64, redactResource } from './redact';
import type { ProxyStatus, TypeStatus } from './types';

/** The parts of a ClientStatusRequest the server acts on (decoded with proto field names). */
export interface ClientStatusQuery {
  readonly node_matchers?: readonly unknown[];
  readonly exclude_resource_contents?: boolean;
}

/** A protobufjs-ready ClientStatusResponse: enums by name, Any as {type_url, value}. */
export type ClientStatusResponseObject = { config: Record<string, unknown>[] };

interface ResourceStatus {
  readonly version_info: string;
  readonly last_updated?: number;
  readonly config_status: 'SYNCED' | 'STALE' | 'ERROR' | 'NOT_SENT';
  readonly client_status: 'ACKED' | 'NACKED' | 'REQUESTED' | 'UNKNOWN';
  readonly error_state?: { last_update_attempt: number; details: string; version_info: string };
}

/** Server-side view of one type's resources, from where the last response of that type stands. */
export function resourceStatus(type: TypeStatus): ResourceStatus {
  switch (type.state) {
    case 'synced':
      return { version_info: type.acked!.version, last_updated: type.acked!.at, config_status: 'SYNCED', client_status: 'ACKED' };
    case 'pending':
      return { version_info: type.sent!.version, last_updated: type.sent!.at, config_status: 'STALE', client_status: 'REQUESTED' };
    case 'nacked': {
      // As csds.proto asks: the attached config is the latest (rejected) one, with the failure.
      const nack = type.lastNack!;
      return {
        version_info: type.sent!.version,
        last_updated: type.acked?.at,
        config_status: 'ERROR',
        client_status: 'NACKED',
        error_state: { last_update_attempt: nack.at, details: nack.errorMessage, version_info: nack.rejectedVersion },
      };
    }
    default:
      return { version_info: '', config_status: 'NOT_SENT', client_status: 'UNKNOWN' };
  }
}

function timestamp(ms: number): { seconds: number; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
}

const nodeCache = new WeakMap<NodeInfo, protobuf.Message>();

/** NodeInfo → envoy.config.core.v3.Node (through the codec, which knows Struct's JSON form). */
function nodeMessage(node: NodeInfo): protobuf.Message {
  const cached = nodeCache.get(node);
  if (cached) return cached;
  const json: JsonObject = { id: node.id, cluster: node.cluster };
  if (Object.keys(node.metadata).length > 0) json['metadata'] = node.metadata;
  if (node.locality) json['locality'] = { ...node.locality };
  if (node.userAgentName) json['user_agent_name'] = node.userAgentName;
  if (node.userAgentVersion) json['user_agent_version'] = node.userAgentVersion;
  if (node.clientFeatures.length > 0) json['client_features'] = [...node.clientFeatures];
  const type = envoyApi().messageType('envoy.config.core.v3.Node');
  let message: protobuf.Message;
  try {
    message = type.decode(encodeMessage('envoy.config.core.v3.Node', json));
  } catch {
    // Metadata the codec cannot represent: still identify the node.
    message = type.decode(encodeMessage('envoy.config.core.v3.Node', { id: node.id, cluster: node.cluster }));
  }
  nodeCache.set(node, message);
  return message;
}

type AnyObject = { readonly type_url: string; readonly value: Uint8Array };

/** Cached resources are immutable and shared, so each is split (and redacted) once. */
const anyCache = new WeakMap<CachedResource, AnyObject>();

/** The resource as an Any for xds_config: cached bytes, or a redacted re-encoding. */
function resourceAny(resource: CachedResource): AnyObject {
  const cached = anyCache.get(resource);
  if (cached) return cached;
  const redacted = redactResource(resource.typeUrl, resource.json, { bytesPlaceholder: REDACTED_BYTES_BASE64 });
  const bytes = redacted.changed ? encodeAny(resource.typeUrl, redacted.json) : resource.any;
  const decoded = envoyApi().messageType('google.protobuf.Any').decode(bytes) as unknown as AnyObject;
  const any = { type_url: decoded.type_url, value: decoded.value };
  anyCache.set(resource, any);
  return any;
}

function typeRank(typeUrl: string): number {
  const i = (PUSH_ORDER as readonly string[]).indexOf(typeUrl);
  return i >= 0 ? i : PUSH_ORDER.length;
}

export function clientConfig(
  proxy: ProxyStatus,
  registry: ProxyStatusRegistry,
  snapshots: SnapshotReader,
  includeContents: boolean,
): Record<string, unknown> {
  const snapshot = snapshots.getSnapshot(proxy.group);
  const generic: Record<string, unknown>[] = [];
  const types = [...proxy.types].sort((a, b) => typeRank(a.typeUrl) - typeRank(b.typeUrl));
  for (const type of types) {
    const status = resourceStatus(type);
    const byName = snapshot?.resources.get(type.typeUrl as CachedResource['typeUrl']);
    for (const name of registry.heldNames(proxy.id, type.typeUrl)) {
      const resource = byName?.get(name);
      if (!resource) continue; // gone from the snapshot: nothing to show
      const entry: Record<string, unknown> = {
        type_url: type.typeUrl,
        name,
        version_info: status.version_info,
        config_status: status.config_status,
        client_status: status.client_status,
      };
      if (includeContents) entry['xds_config'] = resourceAny(resource);
      if (status.last_updated !== undefined) entry['last_updated'] = timestamp(status.last_updated);
      if (status.error_state) {
        entry['error_state'] = {
          last_update_attempt: timestamp(status.error_state.last_update_attempt),
          details: status.error_state.details,
          version_info: status.error_state.version_info,
        };
      }
      generic.push(entry);
    }
  }
  return { node: nodeMessage(proxy.node), generic_xds_configs: generic };
}

/** Answers one ClientStatusRequest. Throws NodeMatcherError for a matcher that cannot be evaluated. */
export function clientStatusResponse(
  query: ClientStatusQuery,
  registry: ProxyStatusRegistry,
  snapshots: SnapshotReader,
): ClientStatusResponseObject {
  const matchers = query.node_matchers ?? [];
  const proxies = registry
    .connectedProxies()
    .filter((p) => matchesAnyNode(matchers, p.node))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { config: proxies.map((p) => clientConfig(p, registry, snapshots, query.exclude_resource_contents !== true)) };
}
