// The deterministic workload of the crash test, shared by the child that performs it and the
// parent that checks the survivors: revision k's change depends only on k, so the parent can
// compute the exact content every revision must have, acknowledged or not.
import type { JsonObject } from '../../src/envoy/resource';
import { documentKey, sortDocuments } from '../../src/store/keys';
import type { ChangeSet, StoredDocument } from '../../src/store/types';

export type WorkloadStep = { readonly op: 'apply'; readonly changes: ChangeSet } | { readonly op: 'rollback'; readonly target: number };

const KINDS = ['HTTPRoute', 'Backend'];

export function stepFor(k: number): WorkloadStep {
  if (k > 3 && k % 11 === 0) return { op: 'rollback', target: k - 3 };
  const namespace = `ns-${k % 3}`;
  const name = `doc-${k % 7}`;
  const kind = KINDS[k % 2]!;
  const body: JsonObject = {
    apiVersion: 'meshgate.io/v1alpha1',
    kind,
    metadata: { name, namespace },
    // Every upsert carries k, so every step changes something and becomes exactly revision k.
    // The padding varies the write size (1-8 KiB) so kills land inside writes of every length.
    spec: { revision: k, padding: 'p'.repeat(1024 * (1 + (k % 8))), list: [k, String(k), { nested: k % 5 === 0 }] },
  };
  const upserts = [{ key: { kind, namespace, name }, body }];
  const deletes = k % 5 === 0 ? [{ kind: 'HTTPRoute', namespace: `ns-${(k + 1) % 3}`, name: `doc-${(k + 2) % 7}` }] : [];
  return { op: 'apply', changes: { upserts, deletes } };
}

/** Expected document set at every revision 0..upTo, in the store's canonical order. */
export class WorkloadModel {
  private readonly states: StoredDocument[][] = [[]];

  at(revision: number): readonly StoredDocument[] {
    while (this.states.length <= revision) {
      const k = this.states.length;
      const step = stepFor(k);
      if (step.op === 'rollback') {
        this.states.push(this.states[step.target]!);
        continue;
      }
      const next = new Map(this.states[k - 1]!.map((d) => [documentKey(d.key), d]));
      for (const doc of step.changes.upserts ?? []) next.set(documentKey(doc.key), doc);
      for (const ref of step.changes.deletes ?? []) next.delete(documentKey(ref));
      this.states.push(sortDocuments([...next.values()]));
    }
    return this.states[revision]!;
  }
}
