// Turns a list of Envoy resources into a Snapshot: every resource encoded (or its previous bytes
// reused), versioned by content, endpoints' versions folded with their clusters' versions, and an
// empty ClusterLoadAssignment added for every EDS cluster that has none.
import { CodecError, encodeAny } from '../envoy/codec';
import type { EnvoyResource, JsonObject } from '../envoy/resource';
import { isResourceTypeUrl, RESOURCE_TYPE_URLS, TypeUrl, type ResourceTypeUrl } from '../envoy/type-urls';
import { edsServiceNameOf } from './eds-clusters';
import { encodeResourceAny, isComposedRouteTable } from './route-table-encoding';
import { sameJson } from './same-json';
import type { EncodingPool } from './encoding-pool';
import { stableStringify } from './stable-json';
import type { CachedResource, Snapshot, ValidationIssue } from './types';
import { contentKey, contentVersion, foldedVersion, typeVersion } from './versions';

export type BuildResult =
  | { readonly ok: true; readonly snapshot: Snapshot }
  | { readonly ok: false; readonly issues: ValidationIssue[] };

/** Build order: clusters first, so their versions are known when endpoints are versioned. */
const BUILD_ORDER: readonly ResourceTypeUrl[] = [
  TypeUrl.Cluster,
  TypeUrl.ClusterLoadAssignment,
  TypeUrl.Listener,
  TypeUrl.RouteConfiguration,
  TypeUrl.Secret,
];

function emptyAssignment(name: string): JsonObject {
  return { cluster_name: name, endpoints: [] };
}

export function buildSnapshot(
  group: string,
  input: readonly EnvoyResource[],
  previous: Snapshot | undefined,
  pool: EncodingPool,
  acceptedAt: number,
): BuildResult {
  const issues: ValidationIssue[] = [];
  // Per type, name → JSON; a later duplicate replaces an earlier one, so no response can carry a
  // name twice (rule 10) even when validation was skipped.
  const byType = new Map<ResourceTypeUrl, Map<string, JsonObject>>();
  for (const t of RESOURCE_TYPE_URLS) byType.set(t, new Map());
  for (const r of input) {
    if (!isResourceTypeUrl(r.typeUrl)) {
      issues.push({ typeUrl: r.typeUrl, name: r.name, path: '', rule: 'type.unknown', message: `unknown resource type ${r.typeUrl}` });
      continue;
    }
    byType.get(r.typeUrl)!.set(r.name, r.json);
  }
  if (issues.length > 0) return { ok: false, issues };

  // Every EDS cluster gets an assignment, so Envoy can finish warming it even with no endpoints.
  const assignments = byType.get(TypeUrl.ClusterLoadAssignment)!;
  const clusterVersionsByAssignment = new Map<string, string[]>();
  const resources = new Map<ResourceTypeUrl, Map<string, CachedResource>>();

  for (const typeUrl of BUILD_ORDER) {
    const out = new Map<string, CachedResource>();
    resources.set(typeUrl, out);
    const jsonByName = byType.get(typeUrl)!;
    if (typeUrl === TypeUrl.ClusterLoadAssignment) {
      for (const serviceName of clusterVersionsByAssignment.keys()) {
        if (!assignments.has(serviceName)) assignments.set(serviceName, emptyAssignment(serviceName));
      }
    }
    for (const [name, json] of jsonByName) {
      const built = buildResource(typeUrl, name, json, previous, pool, clusterVersionsByAssignment, issues);
      if (!built) continue;
      out.set(name, built);
      if (typeUrl === TypeUrl.Cluster) {
        const serviceName = edsServiceNameOf(json);
        if (serviceName !== undefined) {
          const list = clusterVersionsByAssignment.get(serviceName) ?? [];
          list.push(built.version);
          clusterVersionsByAssignment.set(serviceName, list);
        }
      }
    }
  }
  if (issues.length > 0) return { ok: false, issues };

  const typeVersions = new Map<ResourceTypeUrl, string>();
  for (const [typeUrl, map] of resources) {
    const before = previous?.resources.get(typeUrl);
    const known = before && sameEntries(before, map) ? previous?.typeVersions.get(typeUrl) : undefined;
    typeVersions.set(typeUrl, known ?? typeVersion(map.values()));
  }
  return { ok: true, snapshot: { group, resources, typeVersions, acceptedAt } };
}

/** The very same cached resources under the same names: the type's version cannot have moved. */
function sameEntries(a: ReadonlyMap<string, CachedResource>, b: ReadonlyMap<string, CachedResource>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, resource] of b) if (a.get(name) !== resource) return false;
  return true;
}

function buildResource(
  typeUrl: ResourceTypeUrl,
  name: string,
  json: JsonObject,
  previous: Snapshot | undefined,
  pool: EncodingPool,
  clusterVersionsByAssignment: ReadonlyMap<string, readonly string[]>,
  issues: ValidationIssue[],
): CachedResource | undefined {
  const prev = previous?.resources.get(typeUrl)?.get(name);
  // The same content as the previous snapshot's resource of this name (most of a one-route change):
  // reuse its encoding without serialising, hashing or encoding anything.
  const reusedKey = prev && sameJson(prev.json, json) ? pool.keyOf(prev) : undefined;
  let key: string;
  let entry = reusedKey === undefined ? undefined : pool.lookup(reusedKey);
  if (entry && reusedKey !== undefined) key = reusedKey;
  else {
    try {
      if (isComposedRouteTable(typeUrl, json)) {
        // Encoding it from its hosts' kept bytes is cheaper than writing it out as text: key it by its bytes.
        const any = encodeResourceAny(typeUrl, json);
        key = `${typeUrl}\n#${contentKey(any)}`;
        entry = pool.obtain(key, () => ({ any, version: contentVersion(any) }));
      } else {
        key = contentKey(`${typeUrl}\n${stableStringify(json)}`);
        entry = pool.obtain(key, () => {
          const any = encodeAny(typeUrl, json);
          return { any, version: contentVersion(any) };
        });
      }
    } catch (err) {
      const path = err instanceof CodecError ? err.path : '';
      const message = err instanceof CodecError ? err.reason : String(err);
      issues.push({ typeUrl, name, path, rule: 'codec', message });
      return undefined;
    }
  }
  const version =
    typeUrl === TypeUrl.ClusterLoadAssignment
      ? foldedVersion(entry.version, clusterVersionsByAssignment.get(name) ?? [])
      : entry.version;
  // Unchanged content (same bytes, same folded version): keep the very same object, so streams
  // comparing what they sent see no change and the bytes stay shared.
  if (prev && prev.version === version && prev.any.length === entry.any.length) return prev;
  const created: CachedResource = { typeUrl, name, version, json, any: entry.any };
  pool.bind(created, key);
  return created;
}
