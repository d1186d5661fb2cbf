// DestinationRules: which one applies to a service (for a client namespace), the subsets it
// defines, and the traffic policy for one port and subset (subset policy over port-level settings
// over the top-level policy, field group by field group, as Istio merges them).
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import { compareAge, namespaceOf } from '../core/documents';
import { getNumber, getObject, getObjects, getString, getStringMap } from '../core/json';
import type { IstioContext } from './context';
import { hostMatches, resolveHost } from './hosts';
import { ROOT_NAMESPACE } from './kinds';
import { checkTrafficPolicies } from './traffic-policy-check';

export interface Subset {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly trafficPolicy?: JsonObject;
}

export interface AppliedRule {
  readonly doc: InputDocument;
  readonly subsets: readonly Subset[];
}

const POLICY_GROUPS = ['loadBalancer', 'connectionPool', 'outlierDetection', 'tls'] as const;

export class DestinationRules {
  private readonly rules: readonly { doc: InputDocument; host: string }[];

  constructor(private readonly ctx: IstioContext) {
    this.rules = ctx.index
      .list('DestinationRule')
      .map((doc) => {
        ctx.unsupported(doc, doc.spec, 'spec', ['exportTo'], 'is ignored: the rule applies to clients in every namespace');
        ctx.unsupported(doc, doc.spec, 'spec', ['workloadSelector'], 'is not supported: the rule applies to every client');
        checkTrafficPolicies(ctx, doc);
        return { doc, host: resolveHost(getString(doc.spec, 'host') ?? '', namespaceOf(doc)) };
      })
      .sort((a, b) => compareAge(a.doc, b.doc));
  }

  /**
   * Istio's choice: an exact host over a wildcard; then a rule in the client's namespace, the
   * service's namespace, the root namespace; then the oldest.
   */
  ruleFor(host: string, clientNamespace: string, serviceNamespace: string): AppliedRule | undefined {
    const rank = (ns: string): number => (ns === clientNamespace ? 0 : ns === serviceNamespace ? 1 : ns === ROOT_NAMESPACE ? 2 : 3);
    const candidates = this.rules
      .filter((r) => hostMatches(r.host, host))
      .sort((a, b) => Number(a.host.includes('*')) - Number(b.host.includes('*')) || rank(namespaceOf(a.doc)) - rank(namespaceOf(b.doc)));
    const chosen = candidates[0];
    if (!chosen) return undefined;
    const subsets = getObjects(chosen.doc.spec, 'subsets').map((s) => {
      const policy = getObject(s, 'trafficPolicy');
      return { name: getString(s, 'name') ?? '', labels: getStringMap(s, 'labels'), ...(policy ? { trafficPolicy: policy } : {}) };
    });
    return { doc: chosen.doc, subsets };
  }

  /** Warns on each rule whose host matches no service of the registry (the rule then does nothing). */
  reportUnmatchedHosts(serviceHosts: readonly string[]): void {
    for (const { doc, host } of this.rules) {
      if (!serviceHosts.some((h) => hostMatches(host, h))) this.ctx.statusOf(doc).warn(`spec.host ${host} matches no service (no ServiceEntry defines it): the rule applies to nothing`);
    }
  }

  /** The effective policy groups for one port and subset, and the field path each came from. */
  policyFor(rule: AppliedRule | undefined, port: number, subset: string | undefined): EffectivePolicy {
    const out: Record<string, { value: JsonObject; path: string }> = {};
    if (!rule) return out;
    const layer = (policy: JsonObject | undefined, path: string): void => {
      if (!policy) return;
      for (const g of POLICY_GROUPS) {
        const v = getObject(policy, g);
        if (v) out[g] = { value: v, path: `${path}.${g}` };
      }
    };
    const top = getObject(rule.doc.spec, 'trafficPolicy');
    layer(top, 'spec.trafficPolicy');
    const levels = (policy: JsonObject | undefined, path: string): void => {
      getObjects(policy, 'portLevelSettings').forEach((pl, i) => {
        if (getNumber(getObject(pl, 'port'), 'number') === port) layer(pl, `${path}.portLevelSettings[${i}]`);
      });
    };
    levels(top, 'spec.trafficPolicy');
    if (subset !== undefined) {
      const i = rule.subsets.findIndex((s) => s.name === subset);
      const sp = rule.subsets[i]?.trafficPolicy;
      layer(sp, `spec.subsets[${i}].trafficPolicy`);
      levels(sp, `spec.subsets[${i}].trafficPolicy`);
    }
    return out;
  }
}

export type EffectivePolicy = Partial<Record<(typeof POLICY_GROUPS)[number], { readonly value: JsonObject; readonly path: string }>>;
