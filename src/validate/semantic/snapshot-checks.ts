// Checks that need the whole snapshot: one resource per name and type, each resource named as its
// own name field says, and every name a resource refers to present in the same snapshot (or among
// the static resources of the bootstrap the caller declares).
import type { ValidationIssue } from '../../cache/types';
import type { EnvoyResource } from '../../envoy/resource';
import { TypeUrl } from '../../envoy/type-urls';
import type { Reference, ReferenceKind } from './references';

/** The JSON field that carries each resource type's own name. */
const NAME_FIELD: Record<string, string> = {
  [TypeUrl.Listener]: 'name',
  [TypeUrl.RouteConfiguration]: 'name',
  [TypeUrl.Cluster]: 'name',
  [TypeUrl.ClusterLoadAssignment]: 'cluster_name',
  [TypeUrl.Secret]: 'name',
};

const TYPE_OF_REFERENCE: Record<ReferenceKind, string> = {
  cluster: TypeUrl.Cluster,
  route_configuration: TypeUrl.RouteConfiguration,
  secret: TypeUrl.Secret,
};

const WHAT: Record<ReferenceKind, string> = {
  cluster: 'cluster',
  route_configuration: 'route configuration',
  secret: 'secret',
};

export interface StaticResources {
  /** Clusters defined in the proxies' bootstrap (static_resources), e.g. "xds_cluster". */
  readonly clusters?: Iterable<string>;
  /** Secrets defined in the bootstrap. */
  readonly secrets?: Iterable<string>;
}

export function nameIssues(resources: readonly EnvoyResource[]): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const seen = new Map<string, Set<string>>();
  for (const r of resources) {
    const field = NAME_FIELD[r.typeUrl] ?? 'name';
    let names = seen.get(r.typeUrl);
    if (!names) seen.set(r.typeUrl, (names = new Set()));
    if (names.has(r.name)) {
      out.push({ typeUrl: r.typeUrl, name: r.name, path: field, rule: 'snapshot.duplicate_name', message: `another ${shortType(r.typeUrl)} in the snapshot is also named "${r.name}"` });
    }
    names.add(r.name);
    const own = r.json[field];
    if (own !== r.name) {
      const shown = typeof own === 'string' ? `"${own}"` : 'not set';
      out.push({ typeUrl: r.typeUrl, name: r.name, path: field, rule: 'resource.name_mismatch', message: `resource is published as "${r.name}" but its ${field} is ${shown}` });
    }
  }
  return out;
}

export function referenceIssues(
  resources: readonly EnvoyResource[],
  /** Per resource (same order), the names it refers to. */
  references: readonly (readonly Reference[])[],
  statics: StaticResources = {},
): ValidationIssue[] {
  const available = new Map<string, Set<string>>();
  for (const r of resources) {
    let names = available.get(r.typeUrl);
    if (!names) available.set(r.typeUrl, (names = new Set()));
    names.add(r.name);
  }
  const add = (typeUrl: string, names: Iterable<string> | undefined): void => {
    if (!names) return;
    let set = available.get(typeUrl);
    if (!set) available.set(typeUrl, (set = new Set()));
    for (const n of names) set.add(n);
  };
  add(TypeUrl.Cluster, statics.clusters);
  add(TypeUrl.Secret, statics.secrets);

  const out: ValidationIssue[] = [];
  resources.forEach((r, i) => {
    const refs: readonly Reference[] = references[i] ?? [];
    for (const ref of refs) {
      if (available.get(TYPE_OF_REFERENCE[ref.kind])?.has(ref.name)) continue;
      out.push({
        typeUrl: r.typeUrl,
        name: r.name,
        path: ref.path,
        rule: `reference.${ref.kind}`,
        message: `${WHAT[ref.kind]} "${ref.name}" is not in the snapshot`,
      });
    }
  });
  return out;
}

function shortType(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
}
