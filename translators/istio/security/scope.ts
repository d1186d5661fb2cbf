// Which workloads a security policy applies to, as Istio decides it: a policy in the root namespace
// without a selector is mesh-wide, one in a workload's namespace without a selector is
// namespace-wide, one with `selector.matchLabels` applies to the matching workloads of its
// namespace (and, for AuthorizationPolicy and RequestAuthentication in the root namespace, to
// matching workloads of every namespace). targetRef(s) need Kubernetes Services and Gateways,
// which this registry does not have: such a policy is reported and applies to nothing.
import type { InputDocument, StatusCondition } from '../../../src/documents/types';
import type { Workload } from '../../../src/ir/mesh';
import { namespaceOf } from '../../core/documents';
import { field, getObject, getStringMap } from '../../core/json';

export interface IstioSecurityContext {
  readonly rootNamespace: string;
  readonly trustDomain: string;
  statusOf(doc: InputDocument): { warn(message: string): void; conditions: StatusCondition[] };
  error(doc: InputDocument, path: string, reason: string): void;
}

/** How specifically a policy applies to a workload; PeerAuthentication's most specific one wins. */
export type ScopeLevel = 'mesh' | 'namespace' | 'workload';

/**
 * The level at which `doc` applies to `workload`, or undefined when it does not apply.
 * `rootSelectorMeshWide`: a root-namespace policy with a selector selects workloads in every
 * namespace (AuthorizationPolicy, RequestAuthentication) rather than only its own (PeerAuthentication).
 */
export function scopeOf(doc: InputDocument, workload: Pick<Workload, 'namespace' | 'labels'>, rootNamespace: string, rootSelectorMeshWide: boolean): ScopeLevel | undefined {
  const spec = doc.spec;
  if (field(spec, 'targetRef') !== undefined || field(spec, 'targetRefs') !== undefined) return undefined;
  const ns = namespaceOf(doc);
  const selector = getObject(spec, 'selector');
  const selects = (): boolean => Object.entries(getStringMap(selector, 'matchLabels')).every(([k, v]) => workload.labels[k] === v);
  if (ns === rootNamespace && !selector) return 'mesh';
  if (ns === rootNamespace && rootSelectorMeshWide) return selects() ? 'workload' : undefined;
  if (ns !== workload.namespace) return undefined;
  if (!selector) return 'namespace';
  return selects() ? 'workload' : undefined;
}

/** Reports, once per document, what meshgate cannot honour about its scoping. */
export function reportScoping(doc: InputDocument, ctx: IstioSecurityContext): void {
  for (const name of ['targetRef', 'targetRefs']) {
    if (field(doc.spec, name) !== undefined) {
      ctx.statusOf(doc).warn(`spec.${name} is not supported by meshgate (there are no Kubernetes Services or Gateways to attach to); the policy applies to no workload. Use spec.selector instead`);
    }
  }
}
