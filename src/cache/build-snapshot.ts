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
import { GenerationalWeakMap } from '../util/generational-weak-map';

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

/**
 * Per built snapshot, per type, the input resources it was built from (in input order). compile()
 * hands unchanged resources out again as the same objects, so a type whose input list is the very
 * same objects as last time keeps last time's resources without looking at any of them.
 */
const builtFrom = new WeakMap<Snapshot, ReadonlyMap<ResourceTypeUrl, readonly EnvoyResource[]>>();

function sameList(a: readonly EnvoyResource[] | undefined, b: readonly EnvoyResource[]): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Per assignment name, the versions of the EDS clusters that read it (folded into its version). */
function clusterVersionsByAssignment(clusters: ReadonlyMap<string, CachedResource>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const cluster of clusters.values()) {
    const serviceName = edsServiceNameOf(cluster.json);
    if (serviceName === undefined) continue;
    const list = out.get(serviceName);
    if (list) list.push(cluster.version);
    else out.set(serviceName, [cluster.version]);
  }
  return out;
}

export function buildSnapshot(
  group: string,
  input: readonly EnvoyResource[],
  previous: Snapshot | undefined,
  pool: EncodingPool,
  acceptedAt: number,
): BuildResult {
  const issues: ValidationIssue[] = [];
  const inputs = new Map<ResourceTypeUrl, EnvoyResource[]>();
  for (const t of RESOURCE_TYPE_URLS) inputs.set(t, []);
  for (const r of input) {
    if (!isResourceTypeUrl(r.typeUrl)) {
      issues.push({ typeUrl: r.typeUrl, name: r.name, path: '', rule: 'type.unknown', message: `unknown resource type ${r.typeUrl}` });
      continue;
    }
    inputs.get(r.typeUrl)!.push(r);
  }
  if (issues.length > 0) return { ok: false, issues };

  const before = previous ? builtFrom.get(previous) : undefined;
  const resources = new Map<ResourceTypeUrl, ReadonlyMap<string, CachedResource>>();
  let clustersKept = false;
  for (const typeUrl of BUILD_ORDER) {
    const list = inputs.get(typeUrl)!;
    const kept = previous?.resources.get(typeUrl);
    // Endpoints' versions fold in their clusters' versions: they are kept only with the clusters.
    if (kept && sameList(before?.get(typeUrl), list) && (typeUrl !== TypeUrl.ClusterLoadAssignment || clustersKept)) {
      resources.set(typeUrl, kept);
      if (typeUrl === TypeUrl.Cluster) clustersKept = true;
      continue;
    }
    // Name → JSON; a later duplicate replaces an earlier one, so no response can carry a name twice
    // (rule 10) even when validation was skipped.
    const jsonByName = new Map<string, JsonObject>();
    for (const r of list) jsonByName.set(r.name, r.json);
    let folds: ReadonlyMap<string, readonly string[]> = new Map();
    if (typeUrl === TypeUrl.ClusterLoadAssignment) {
      folds = clusterVersionsByAssignment(resources.get(TypeUrl.Cluster)!);
      // Every EDS cluster gets an assignment, so Envoy can finish warming it even with no endpoints.
      for (const serviceName of folds.keys()) if (!jsonByName.has(serviceName)) jsonByName.set(serviceName, emptyAssignment(serviceName));
    }
    const out = new Map<string, CachedResource>();
    for (const [name, json] of jsonByName) {
      const built = buildResource(typeUrl, name, json, previous, pool, folds, issues);
      if (built) out.set(name, built);
    }
    resources.set(typeUrl, out);
  }
  if (issues.length > 0) return { ok: false, issues };

  const typeVersions = new Map<ResourceTypeUrl, string>();
  for (const [typeUrl, map] of resources) {
    const earlier = previous?.resources.get(typeUrl);
    const known = earlier && (earlier === map || sameEntries(earlier, map)) ? previous?.typeVersions.get(typeUrl) : undefined;
    typeVersions.set(typeUrl, known ?? typeVersion(map.values()));
  }
  const snapshot: Snapshot = { group, resources, typeVersions, acceptedAt };
  builtFrom.set(snapshot, inputs);
  return { ok: true, snapshot };
}

/** The very same cached resources under the same names: the type's version cannot have moved. */
function sameEntries(a: ReadonlyMap<string, CachedResource>, b: ReadonlyMap<string, CachedResource>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, resource] of b) if (a.get(name) !== resource) return false;
  return true;
}

/** The cluster versions each built ClusterLoadAssignment's version folds in. */
const foldedInto = new GenerationalWeakMap<CachedResource, readonly string[]>();

function sameFolded(a: readonly string[] | undefined, b: readonly string[]): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function buildResource(
  typeUrl: ResourceTypeUrl,
  name: string,
  json: JsonObject,
  previous: Snapshot | undefined,
  pool: EncodingPool,
  folds: ReadonlyMap<string, readonly string[]>,
  issues: ValidationIssue[],
): CachedResource | undefined {
  const prev = previous?.resources.get(typeUrl)?.get(name);
  const folded = typeUrl === TypeUrl.ClusterLoadAssignment ? (folds.get(name) ?? []) : undefined;
  // The very same JSON object as last time (compile hands unchanged resources out again): nothing
  // to compare, encode or hash, unless endpoints now fold in other cluster versions.
  if (prev && prev.json === json && (folded === undefined || sameFolded(foldedInto.get(prev), folded))) return prev;
  // The same content as the previous snapshot's resource of this name: reuse its encoding without
  // serialising, hashing or encoding anything.
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
  const version = folded ? foldedVersion(entry.version, folded) : entry.version;
  // Unchanged content (same bytes, same folded version): keep the very same object, so streams
  // comparing what they sent see no change and the bytes stay shared.
  if (prev && prev.version === version && prev.any.length === entry.any.length) {
    // Remembered again: the memo may have let go of it while the type was kept whole.
    if (folded) foldedInto.set(prev, folded);
    return prev;
  }
  const created: CachedResource = { typeUrl, name, version, json, any: entry.any };
  pool.bind(created, key);
  if (folded) foldedInto.set(created, folded);
  return created;
}
