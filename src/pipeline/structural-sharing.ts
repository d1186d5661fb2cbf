// Structural sharing between one compile and the next. A resource whose JSON equals the resource of
// the same type and name in the previous compile is handed out as that very (frozen) object, and a
// changed route table keeps the previous objects of its unchanged virtual hosts; whatever is new is
// frozen all the way down. The stages after compile recognise unchanged content by identity:
// validation keeps each frozen resource's answer (src/validate/resource-answers.ts), the snapshot
// cache reuses a resource's encoding when its JSON is the same object, and a route table is encoded
// from its frozen hosts' kept bytes (src/cache/route-table-encoding.ts). So a one-route change
// re-validates and re-encodes one virtual host per table instead of every resource of the group.
//
// The comparison is sameJson, which stops at identical objects: resources the builders already
// memoise cost one identity check, the others one walk here instead of one in every later stage.
import { sameJson } from '../cache/same-json';
import type { EnvoyResource, JsonObject, JsonValue } from '../envoy/resource';
import { TypeUrl } from '../envoy/type-urls';
import { deepFreeze } from '../xds/proxyless/freeze';

type ByTypeAndName = Map<string, Map<string, EnvoyResource>>;

function indexed(resources: readonly EnvoyResource[]): ByTypeAndName {
  const out: ByTypeAndName = new Map();
  for (const r of resources) {
    let byName = out.get(r.typeUrl);
    if (!byName) out.set(r.typeUrl, (byName = new Map()));
    byName.set(r.name, r);
  }
  return out;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A route table's virtual hosts with every host equal to one of `previous` (by name) replaced by that object. */
function shareVirtualHosts(json: JsonObject, previous: JsonObject): JsonObject {
  const hosts = json['virtual_hosts'];
  const before = previous['virtual_hosts'];
  if (!Array.isArray(hosts) || !Array.isArray(before)) return json;
  const byName = new Map<string, JsonObject>();
  for (const host of before) if (isObject(host) && typeof host['name'] === 'string') byName.set(host['name'], host);
  let replaced = false;
  const shared = hosts.map((host) => {
    if (!isObject(host) || typeof host['name'] !== 'string') return host;
    const old = byName.get(host['name']);
    if (!old || old === host || !sameJson(old, host)) return host;
    replaced = true;
    return old;
  });
  return replaced ? { ...json, virtual_hosts: shared } : json;
}

function shareResource(resource: EnvoyResource, previous: EnvoyResource | undefined): EnvoyResource {
  if (previous && (previous.json === resource.json || sameJson(previous.json, resource.json))) return previous;
  const json = previous && resource.typeUrl === TypeUrl.RouteConfiguration ? shareVirtualHosts(resource.json, previous.json) : resource.json;
  return Object.freeze({ typeUrl: resource.typeUrl, name: resource.name, json: deepFreeze(json) });
}

/**
 * `next` with every resource equal to its namesake in `previous` replaced by that object and the
 * rest frozen. When nothing changed at all, `previous` itself is returned, so a validator that
 * remembers its answer per (frozen) array answers at once. The result is a frozen array.
 */
export function shareUnchanged(next: readonly EnvoyResource[], previous: readonly EnvoyResource[] | undefined): readonly EnvoyResource[] {
  const before = previous ? indexed(previous) : undefined;
  let allSame = previous !== undefined && previous.length === next.length && Object.isFrozen(previous);
  const out = next.map((resource, i) => {
    const shared = shareResource(resource, before?.get(resource.typeUrl)?.get(resource.name));
    if (allSame && shared !== previous![i]) allSame = false;
    return shared;
  });
  return allSame ? previous! : Object.freeze(out);
}
