// PeerAuthentication → InboundListener.mtls. Istio's precedence: the workload-selector policy
// beats the namespace-wide one, which beats the mesh-wide one (root namespace); among policies of
// the same level the oldest wins (creation time, then name) and the others are reported. A mode of
// UNSET (or no mtls at all) inherits from the next level up; portLevelMtls (workload policies
// only) overrides the workload's mode for one port, keyed by the port peers connect to (the
// inbound listener's port). With no policy at all, the listener keeps the mode it was built with
// (PERMISSIVE, Istio's default).
import type { InputDocument } from '../../../src/documents/types';
import type { InboundListener, Workload } from '../../../src/ir/mesh';
import { compareAge, namespaceOf } from '../../core/documents';
import { field, getObject } from '../../core/json';
import { scopeOf, type IstioSecurityContext, type ScopeLevel } from './scope';

type Mode = InboundListener['mtls'];
/** What decides which policies apply (the IR Workload, or a registry workload before proxies exist). */
type PolicyTarget = Pick<Workload, 'name' | 'namespace' | 'labels'>;

function modeOf(mtls: unknown): Mode | undefined {
  const mode = typeof mtls === 'object' && mtls !== null && !Array.isArray(mtls) ? (mtls as { mode?: unknown }).mode : undefined;
  return mode === 'STRICT' || mode === 'PERMISSIVE' || mode === 'DISABLE' ? mode : undefined;
}

export class PeerAuthenticationResolver {
  private readonly conflictsReported = new Set<string>();

  constructor(
    private readonly policies: readonly InputDocument[],
    private readonly ctx: IstioSecurityContext,
  ) {}

  /** The winning policy of each level for `workload`. */
  private winners(workload: PolicyTarget): Map<ScopeLevel, InputDocument> {
    const byLevel = new Map<ScopeLevel, InputDocument[]>();
    for (const doc of this.policies) {
      const level = scopeOf(doc, workload, this.ctx.rootNamespace, false);
      if (!level) continue;
      byLevel.set(level, [...(byLevel.get(level) ?? []), doc]);
    }
    const winners = new Map<ScopeLevel, InputDocument>();
    for (const [level, docs] of byLevel) {
      const sorted = [...docs].sort(compareAge);
      winners.set(level, sorted[0]!);
      for (const loser of sorted.slice(1)) {
        const key = `${namespaceOf(loser)}/${loser.metadata.name}|${workload.name}`;
        if (this.conflictsReported.has(key)) continue;
        this.conflictsReported.add(key);
        this.ctx
          .statusOf(loser)
          .warn(`ignored for workload ${workload.name}: PeerAuthentication ${namespaceOf(sorted[0]!)}/${sorted[0]!.metadata.name} also applies at ${level} level and is older`);
      }
    }
    return winners;
  }

  /** The mTLS mode of `workload`'s inbound `port`; `fallback` when no policy decides it. */
  modeFor<F extends Mode | undefined>(workload: PolicyTarget, port: number, fallback: F): Mode | F {
    const winners = this.winners(workload);
    const workloadPolicy = winners.get('workload');
    const portLevel = getObject(getObject(workloadPolicy?.spec, 'portLevelMtls'), String(port));
    const chain: unknown[] = [portLevel, field(workloadPolicy?.spec, 'mtls'), field(winners.get('namespace')?.spec, 'mtls'), field(winners.get('mesh')?.spec, 'mtls')];
    for (const mtls of chain) {
      const mode = modeOf(mtls);
      if (mode) return mode;
    }
    return fallback;
  }

  /** Reports portLevelMtls entries naming a port none of the selected workloads listens on. */
  reportUnusedPorts(usedPorts: ReadonlyMap<InputDocument, ReadonlySet<number>>): void {
    for (const doc of this.policies) {
      const ports = getObject(doc.spec, 'portLevelMtls');
      for (const key of Object.keys(ports ?? {})) {
        if (!usedPorts.get(doc)?.has(Number(key))) {
          this.ctx.statusOf(doc).warn(`spec.portLevelMtls.${key}: no selected workload has an inbound listener on port ${key}; the entry has no effect`);
        }
      }
    }
  }

  /** Documents whose workload-level policy decided `port` for `workload` (for reportUnusedPorts). */
  workloadPolicy(workload: PolicyTarget): InputDocument | undefined {
    return this.winners(workload).get('workload');
  }
}
