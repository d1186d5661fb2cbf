// withDelta (src/store/document-set.ts) merges a revision's changes into the canonical order; it
// must give exactly what applying the delta and sorting everything again gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DocumentSet, withDelta } from '../../src/store/document-set';
import { sortDocuments } from '../../src/store/keys';
import type { DocumentRef, StoredDocument } from '../../src/store/types';

function stored(kind: string, namespace: string, name: string, v = 0): StoredDocument {
  return { key: { kind, namespace, name }, body: { apiVersion: 'v1', kind, metadata: { name, namespace }, spec: { v } } } as StoredDocument;
}

test('withDelta equals a full re-sort for random changes (adds, replacements, deletes, at both ends)', () => {
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let round = 0; round < 200; round++) {
    const byKey = new Map<string, StoredDocument>();
    const key = (r: DocumentRef): string => `${r.kind}/${r.namespace}/${r.name}`;
    for (let i = 0; i < random(30); i++) {
      const d = stored(['A', 'B', 'C'][random(3)]!, ['', 'x', 'y'][random(3)]!, `n${random(20)}`);
      byKey.set(key(d.key), d);
    }
    const sorted = sortDocuments([...byKey.values()]);
    const claimed = new Set<string>();
    const upserts: StoredDocument[] = [];
    const deletes: DocumentRef[] = [];
    for (let i = 0; i < random(8); i++) {
      const d = stored(['A', 'B', 'C', 'D'][random(4)]!, ['', 'x', 'y'][random(3)]!, `n${random(25)}`, round);
      if (claimed.has(key(d.key))) continue;
      claimed.add(key(d.key));
      upserts.push(d);
    }
    for (const d of sorted) {
      if (random(4) === 0 && !claimed.has(key(d.key))) {
        claimed.add(key(d.key));
        deletes.push(d.key);
      }
    }
    const delta = { upserts, deletes };
    const expected = new Map(byKey);
    for (const d of upserts) expected.set(key(d.key), d);
    for (const r of deletes) expected.delete(key(r));
    assert.deepEqual(withDelta(sorted, delta), sortDocuments([...expected.values()]), `round ${round}`);
    // The live set keeps its cached order the same way.
    const set = DocumentSet.of(sorted);
    set.all();
    set.applyDelta(delta);
    assert.deepEqual(set.all(), sortDocuments([...expected.values()]), `round ${round} (DocumentSet)`);
  }
});
