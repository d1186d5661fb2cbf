// Policy attachment (GEP-713 style): a policy names its targets with targetRefs in its own
// namespace: a Gateway, one listener of it (sectionName), an HTTPRoute/GRPCRoute, one named rule
// of it (sectionName), or a Backend (a Service target means the Backend of that name). Each
// target gets a status entry; a target that does not exist is Accepted=False/TargetNotFound.
import type { InputDocument } from '../../src/documents/types';
import { compareAge, DocumentIndex, namespaceOf } from '../core/documents';
import { getObjects, getString } from '../core/json';
import { accepted, notAccepted, type StatusBuilder } from '../core/status';

export type TargetLevel = 'rule' | 'route' | 'backend' | 'listener' | 'gateway';

export const targetKey = {
  gateway: (ns: string, name: string): string => `gateway|${ns}/${name}`,
  listener: (ns: string, name: string, listener: string): string => `listener|${ns}/${name}|${listener}`,
  route: (kind: string, ns: string, name: string): string => `route|${kind}|${ns}/${name}`,
  rule: (kind: string, ns: string, name: string, rule: string): string => `rule|${kind}|${ns}/${name}|${rule}`,
  backend: (ns: string, name: string): string => `backend|${ns}/${name}`,
};

interface ResolvedTarget {
  readonly key: string;
  readonly level: TargetLevel;
}

function resolveTarget(index: DocumentIndex, ns: string, kind: string, name: string, section: string | undefined): ResolvedTarget | string {
  switch (kind) {
    case 'Gateway': {
      const gw = index.get('Gateway', ns, name);
      if (!gw) return `Gateway ${ns}/${name} does not exist`;
      if (section === undefined) return { key: targetKey.gateway(ns, name), level: 'gateway' };
      const listeners = getObjects(gw.spec, 'listeners').map((l) => getString(l, 'name'));
      if (!listeners.includes(section)) return `Gateway ${ns}/${name} has no listener named "${section}"`;
      return { key: targetKey.listener(ns, name, section), level: 'listener' };
    }
    case 'HTTPRoute':
    case 'GRPCRoute': {
      const route = index.get(kind, ns, name);
      if (!route) return `${kind} ${ns}/${name} does not exist`;
      if (section === undefined) return { key: targetKey.route(kind, ns, name), level: 'route' };
      const rules = getObjects(route.spec, 'rules').map((r) => getString(r, 'name'));
      if (!rules.includes(section)) return `${kind} ${ns}/${name} has no rule named "${section}"`;
      return { key: targetKey.rule(kind, ns, name, section), level: 'rule' };
    }
    case 'Backend':
    case 'Service':
      if (!index.get('Backend', ns, name)) return kind === 'Service' ? `no Backend named ${ns}/${name} (a Service target means the Backend of the same name)` : `Backend ${ns}/${name} does not exist`;
      return { key: targetKey.backend(ns, name), level: 'backend' };
    default:
      return `kind ${kind} cannot be targeted`;
  }
}

/** Which policies of one kind attach where; lists are oldest first (Gateway API tie-break). */
export class PolicyAttachments {
  private readonly byTarget = new Map<string, InputDocument[]>();

  constructor(docs: readonly InputDocument[], index: DocumentIndex, statusOf: (doc: InputDocument) => StatusBuilder) {
    for (const doc of [...docs].sort(compareAge)) {
      const ns = namespaceOf(doc);
      const status = statusOf(doc);
      const refs = getObjects(doc.spec, 'targetRefs');
      let found = 0;
      for (const ref of refs) {
        const kind = getString(ref, 'kind') ?? '';
        const name = getString(ref, 'name') ?? '';
        const section = getString(ref, 'sectionName');
        const target = resolveTarget(index, ns, kind, name, section);
        const parentRef = { kind, namespace: ns, name, ...(section !== undefined ? { sectionName: section } : {}) };
        if (typeof target === 'string') {
          status.parents.push({ parentRef, conditions: [notAccepted('TargetNotFound', target)] });
          continue;
        }
        found++;
        status.parents.push({ parentRef, conditions: [accepted(`Attached to ${kind} ${ns}/${name}${section !== undefined ? ` section ${section}` : ''}`)] });
        const list = this.byTarget.get(target.key);
        if (list) {
          if (!list.includes(doc)) list.push(doc);
        } else this.byTarget.set(target.key, [doc]);
      }
      if (refs.length === 0) status.conditions.push(accepted('No targetRefs: applies only where a route rule references it with an ExtensionRef filter'));
      else if (found > 0) status.conditions.push(accepted(`Attached to ${found} of ${refs.length} targets`));
      else status.conditions.push(notAccepted('TargetNotFound', 'None of the targetRefs exists'));
    }
  }

  at(key: string): readonly InputDocument[] {
    return this.byTarget.get(key) ?? [];
  }
}

/** The policies attached at one level for a given route rule, with a readable target label. */
export interface PolicyLevel {
  /** Human-readable target, for messages. */
  readonly target: string;
  /** Compact stable id of the target, e.g. "gateway/default/edge", for generated identifiers. */
  readonly id: string;
  readonly docs: readonly InputDocument[];
}

/**
 * The policy that provides a feature: the most specific level that has one wins; within a level
 * the oldest policy wins and the others are told they are overridden.
 */
export function pickFeature(
  levels: readonly PolicyLevel[],
  feature: string,
  provides: (doc: InputDocument) => boolean,
  statusOf: (doc: InputDocument) => StatusBuilder,
): { readonly doc: InputDocument; readonly target: string; readonly id: string } | undefined {
  for (const level of levels) {
    const candidates = level.docs.filter(provides);
    if (candidates.length === 0) continue;
    const [winner, ...losers] = candidates;
    for (const loser of losers) {
      statusOf(loser).warn(`${feature} for ${level.target} is overridden by ${winner!.kind} ${namespaceOf(winner!)}/${winner!.metadata.name} (older, same target)`);
    }
    return { doc: winner!, target: level.target, id: level.id };
  }
  return undefined;
}
