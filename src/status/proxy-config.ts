// The resources a proxy currently receives, in Envoy's canonical JSON and grouped as Envoy's
// config_dump groups them (listeners, routes, clusters, endpoints, secrets), each with its
// "@type". Contents come from the proxy's group in the snapshot cache, restricted to the names
// the proxy was sent; sensitive fields (private keys, passwords, secret values) are redacted.
import type { CachedResource } from '../cache/types';
import type { JsonObject } from '../envoy/resource';
import { RESOURCE_TYPE_URLS, TYPE_GROUP_NAME } from '../envoy/type-urls';
import type { ProxyStatusRegistry, SnapshotReader } from './proxy-status';
import { redactResource } from './redact';

export type ResourceGroupName = (typeof TYPE_GROUP_NAME)[keyof typeof TYPE_GROUP_NAME];
export type ProxyConfig = Record<ResourceGroupName, JsonObject[]>;

/** Cached resources are immutable and shared: each is redacted once, for every proxy. */
const shown = new WeakMap<CachedResource, JsonObject>();

function displayJson(resource: CachedResource): JsonObject {
  let json = shown.get(resource);
  if (!json) {
    json = { '@type': resource.typeUrl, ...redactResource(resource.typeUrl, resource.json).json };
    shown.set(resource, json);
  }
  return json;
}

export function emptyProxyConfig(): ProxyConfig {
  return { listeners: [], routes: [], clusters: [], endpoints: [], secrets: [] };
}

/** The proxy's current resources; undefined when the registry does not know the proxy. */
export function proxyConfig(registry: ProxyStatusRegistry, snapshots: SnapshotReader, id: string): ProxyConfig | undefined {
  const proxy = registry.get(id);
  if (!proxy) return undefined;
  const config = emptyProxyConfig();
  const snapshot = snapshots.getSnapshot(proxy.group);
  if (!snapshot) return config;
  for (const typeUrl of RESOURCE_TYPE_URLS) {
    const byName = snapshot.resources.get(typeUrl);
    if (!byName) continue;
    for (const name of registry.heldNames(id, typeUrl)) {
      const resource = byName.get(name);
      if (!resource) continue;
      config[TYPE_GROUP_NAME[typeUrl]].push(displayJson(resource));
    }
  }
  return config;
}
