// Resolving backendRefs (routes, mirrors, ext auth) to IR clusters, with Gateway API semantics:
// unknown kinds are InvalidKind, missing targets BackendNotFound, cross-namespace references
// without a ReferenceGrant RefNotPermitted. Clusters are built once per name, with the
// BackendPolicies of their Backend applied.
import type { InputDocument } from '../src/documents/types';
import type { JsonObject } from '../src/envoy/resource';
import type { Cluster } from '../src/ir/cluster';
import type { HashKey } from '../src/ir/route';
import { compareAge, DocumentIndex, namespaceOf } from './core/documents';
import { getNumber, getObject, getString } from './core/json';
import { CORE_GROUP, MESHGATE_GROUP } from './core/kinds';
import type { ReferenceEnd, ReferenceGrants } from './core/reference-grants';
import { backendCluster, backendProtocol } from './meshgate/backend';
import { applyBackendPolicy, hashKeysOf } from './meshgate/backend-policy';
import { targetKey, type PolicyAttachments } from './meshgate/policy-targets';

export type BackendRefReason = 'InvalidKind' | 'BackendNotFound' | 'RefNotPermitted' | 'UnsupportedProtocol';

export type BackendRefResult =
  | { readonly ok: true; readonly cluster: Cluster; readonly backend: InputDocument }
  | { readonly ok: false; readonly reason: BackendRefReason; readonly message: string };

export class BackendResolver {
  private readonly clusters = new Map<string, Cluster>();

  constructor(
    private readonly index: DocumentIndex,
    private readonly grants: ReferenceGrants,
    private readonly backendPolicies: PolicyAttachments,
  ) {}

  /**
   * `from` is the referring document; `grpc` says the traffic is gRPC (GRPCRoute, gRPC ext auth),
   * so a Backend without a protocol is spoken to over HTTP/2.
   */
  resolve(from: ReferenceEnd, ref: JsonObject, grpc: boolean): BackendRefResult {
    const group = getString(ref, 'group') ?? CORE_GROUP;
    const kind = getString(ref, 'kind') ?? 'Service';
    const name = getString(ref, 'name') ?? '';
    const namespace = getString(ref, 'namespace') ?? from.namespace;
    const port = getNumber(ref, 'port');
    const isService = group === CORE_GROUP && kind === 'Service';
    const isBackend = group === MESHGATE_GROUP && kind === 'Backend';
    if (!isService && !isBackend) {
      return { ok: false, reason: 'InvalidKind', message: `backend kind ${group === '' ? 'core' : group}/${kind} is not supported (use a Service or a ${MESHGATE_GROUP} Backend)` };
    }
    const backend = this.index.get('Backend', namespace, name);
    if (!backend) {
      const what = isService ? `Service ${namespace}/${name} has no Backend of the same name (meshgate resolves Services to Backends)` : `Backend ${namespace}/${name} does not exist`;
      return { ok: false, reason: 'BackendNotFound', message: what };
    }
    if (!this.grants.allows(from, { group, kind, namespace, name })) {
      return { ok: false, reason: 'RefNotPermitted', message: `${kind} ${namespace}/${name} is in another namespace and no ReferenceGrant there allows ${from.kind} references from namespace ${from.namespace}` };
    }
    if (grpc && backendProtocol(backend) === 'http') {
      return { ok: false, reason: 'UnsupportedProtocol', message: `Backend ${namespace}/${name} declares protocol http; gRPC needs http2 or grpc` };
    }
    return { ok: true, cluster: this.clusterFor(backend, port, grpc), backend };
  }

  /** The cluster for a Backend document directly (policies applied), e.g. for ext auth. */
  clusterFor(backend: InputDocument, port: number | undefined, grpc: boolean): Cluster {
    const base = backendCluster(backend, port, grpc);
    const cached = this.clusters.get(base.name);
    if (cached) return cached;
    // Apply newest first so that, field by field, the oldest policy has the last word.
    const policies = [...this.policiesOf(backend)].reverse();
    const cluster = policies.reduce((c, p) => applyBackendPolicy(c, p.spec), base);
    this.clusters.set(cluster.name, cluster);
    return cluster;
  }

  /** Consistent-hash keys the backend's policy asks routes to use, if any. */
  hashKeys(backend: InputDocument): HashKey[] | undefined {
    const policy = this.policiesOf(backend).find((p) => getObject(p.spec, 'loadBalancer') !== undefined && getObject(p.spec, 'loadBalancer')?.['hashOn'] !== undefined);
    if (!policy) return undefined;
    const keys = hashKeysOf(policy.spec);
    return keys.length > 0 ? keys : undefined;
  }

  private policiesOf(backend: InputDocument): readonly InputDocument[] {
    return [...this.backendPolicies.at(targetKey.backend(namespaceOf(backend), backend.metadata.name))].sort(compareAge);
  }
}
