// Semantics of the document store: apply / get / list / delete, created-configured-unchanged
// detection, revision history, rollback, the change subscription and the write queue.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { DocumentStore } from '../../src/store/document-store';
import { RevisionNotFoundError, StoreInputError, StoreLockedError, StoreUnavailableError } from '../../src/store/errors';
import { recordName } from '../../src/store/layout';
import type { StoreChangedEvent } from '../../src/store/types';
import { doc, fixedClock, removeTempStoreDirs, tempStoreDir } from './helpers';

after(removeTempStoreDirs);

async function openStore(options: { historyLimit?: number; compactionSlack?: number } = {}): Promise<DocumentStore> {
  return DocumentStore.open({ dir: await tempStoreDir(), now: fixedClock(), ...options });
}

test('apply creates documents as revision 1 and get/list return them in canonical order', async () => {
  const store = await openStore();
  try {
    assert.equal(store.revision, 0);
    const result = await store.apply(
      { upserts: [doc('HTTPRoute', 'default', 'web'), doc('Gateway', 'infra', 'edge'), doc('HTTPRoute', 'apps', 'api')] },
      { author: 'alice', message: 'first' },
    );
    assert.equal(result.revision, 1);
    assert.equal(result.changed, true);
    assert.deepEqual(result.results.map((r) => [r.key.name, r.outcome]), [['web', 'created'], ['edge', 'created'], ['api', 'created']]);
    assert.deepEqual(store.get({ kind: 'HTTPRoute', namespace: 'default', name: 'web' })?.body, doc('HTTPRoute', 'default', 'web').body);
    assert.equal(store.get({ kind: 'HTTPRoute', namespace: 'default', name: 'missing' }), undefined);
    assert.deepEqual(store.list().map((d) => `${d.key.kind}/${d.key.namespace}/${d.key.name}`), ['Gateway/infra/edge', 'HTTPRoute/apps/api', 'HTTPRoute/default/web']);
    assert.deepEqual(store.list({ kind: 'HTTPRoute' }).map((d) => d.key.name), ['api', 'web']);
    assert.deepEqual(store.list({ namespace: 'infra' }).map((d) => d.key.name), ['edge']);
    assert.deepEqual(store.list({ kind: 'HTTPRoute', namespace: 'apps' }).map((d) => d.key.name), ['api']);
    assert.deepEqual(store.current(), { revision: 1, documents: store.list() });
  } finally {
    await store.close();
  }
});

test('re-applying equal content is unchanged (key order ignored) and creates no revision', async () => {
  const store = await openStore();
  try {
    await store.apply({ upserts: [doc('HTTPRoute', 'default', 'web', { hostnames: ['a.example'], rules: [{ matches: [] }] })] });
    const same = { key: { kind: 'HTTPRoute', namespace: 'default', name: 'web' }, body: { spec: { rules: [{ matches: [] }], hostnames: ['a.example'] }, metadata: { namespace: 'default', name: 'web' }, kind: 'HTTPRoute', apiVersion: 'gateway.networking.k8s.io/v1' } };
    const result = await store.apply({ upserts: [same] });
    assert.deepEqual(result, { revision: 1, changed: false, results: [{ key: same.key, outcome: 'unchanged' }] });
    assert.equal(store.revisions().length, 1);
    // Array order is content, so it does make a change.
    const reordered = await store.apply({ upserts: [doc('HTTPRoute', 'default', 'web', { hostnames: ['a.example'], rules: [{ matches: [] }, { matches: [{}] }] })] });
    assert.equal(reordered.results[0]!.outcome, 'configured');
    assert.equal(reordered.revision, 2);
  } finally {
    await store.close();
  }
});

test('configured, unchanged, deleted and not-found in one apply, with summary counts in the history', async () => {
  const store = await openStore();
  try {
    await store.apply({ upserts: [doc('HTTPRoute', 'default', 'a', { n: 1 }), doc('HTTPRoute', 'default', 'b'), doc('HTTPRoute', 'default', 'c')] }, { author: 'alice', message: 'seed' });
    const result = await store.apply(
      {
        upserts: [doc('HTTPRoute', 'default', 'a', { n: 2 }), doc('HTTPRoute', 'default', 'b'), doc('HTTPRoute', 'default', 'd')],
        deletes: [{ kind: 'HTTPRoute', namespace: 'default', name: 'c' }, { kind: 'HTTPRoute', namespace: 'default', name: 'zzz' }],
      },
      { author: 'bob', message: 'second' },
    );
    assert.equal(result.revision, 2);
    assert.deepEqual(result.results.map((r) => `${r.key.name}:${r.outcome}`), ['a:configured', 'b:unchanged', 'd:created', 'c:deleted', 'zzz:not-found']);
    assert.deepEqual(store.list().map((d) => d.key.name), ['a', 'b', 'd']);
    assert.deepEqual(store.get({ kind: 'HTTPRoute', namespace: 'default', name: 'a' })?.body.spec, { n: 2 });
    assert.deepEqual(store.revisions(), [
      { revision: 1, time: '2025-01-01T00:00:01.000Z', author: 'alice', message: 'seed', summary: { created: 3, configured: 0, unchanged: 0, deleted: 0 }, documentCount: 3 },
      { revision: 2, time: '2025-01-01T00:00:02.000Z', author: 'bob', message: 'second', summary: { created: 1, configured: 1, unchanged: 1, deleted: 1 }, documentCount: 3 },
    ]);
    // A delete-only change of something absent changes nothing.
    const nothing = await store.apply({ deletes: [{ kind: 'HTTPRoute', namespace: 'default', name: 'c' }] });
    assert.deepEqual(nothing, { revision: 2, changed: false, results: [{ key: { kind: 'HTTPRoute', namespace: 'default', name: 'c' }, outcome: 'not-found' }] });
  } finally {
    await store.close();
  }
});

test('malformed changes are refused and store nothing', async () => {
  const store = await openStore();
  try {
    await assert.rejects(store.apply({ upserts: [doc('HTTPRoute', 'default', 'web'), doc('HTTPRoute', 'default', 'web', { x: 1 })] }), StoreInputError);
    await assert.rejects(store.apply({ upserts: [doc('HTTPRoute', 'default', 'web')], deletes: [{ kind: 'HTTPRoute', namespace: 'default', name: 'web' }] }), /more than once/);
    await assert.rejects(store.apply({ upserts: [doc('', 'default', 'web')] }), /kind must be a non-empty string/);
    await assert.rejects(store.apply({ upserts: [{ key: { kind: 'HTTPRoute', namespace: 'default', name: 'web' }, body: [] as never }] }), /body must be a JSON object/);
    await assert.rejects(store.apply({ upserts: [doc('HTTPRoute', 'default', 'web')] }, { author: 42 as never }), /author must be a string/);
    assert.equal(store.revision, 0);
    assert.deepEqual(store.list(), []);
    // Cluster-scoped kinds use the empty namespace.
    const ok = await store.apply({ upserts: [doc('GatewayClass', '', 'meshgate')] });
    assert.equal(ok.revision, 1);
  } finally {
    await store.close();
  }
});

test('stored bodies are private copies: mutating the input or the output cannot change accepted state', async () => {
  const store = await openStore();
  try {
    const input = doc('HTTPRoute', 'default', 'web', { hostnames: ['a.example'] });
    await store.apply({ upserts: [input] });
    (input.body.spec as { hostnames: string[] }).hostnames.push('evil.example');
    const stored = store.get(input.key)!;
    assert.deepEqual(stored.body.spec, { hostnames: ['a.example'] });
    assert.throws(() => {
      (stored.body.spec as { hostnames: string[] }).hostnames.push('evil.example');
    }, TypeError);
  } finally {
    await store.close();
  }
});

test('the validate hook sees the would-be state and a refusal stores nothing', async () => {
  const store = await openStore();
  try {
    await store.apply({ upserts: [doc('HTTPRoute', 'default', 'a')] });
    const refusal = new Error('listener conflict');
    let seen: string[] = [];
    await assert.rejects(
      store.apply({ upserts: [doc('HTTPRoute', 'default', 'b')] }, {}, {
        validate: (plan) => {
          seen = plan.documents.map((d) => d.key.name);
          throw refusal;
        },
      }),
      (err) => err === refusal,
    );
    assert.deepEqual(seen, ['a', 'b']);
    assert.equal(store.revision, 1);
    assert.deepEqual(store.list().map((d) => d.key.name), ['a']);
    const accepted = await store.apply({ upserts: [doc('HTTPRoute', 'default', 'b')] }, {}, { validate: async () => undefined });
    assert.equal(accepted.revision, 2);
  } finally {
    await store.close();
  }
});

test('plan answers like apply but stores nothing (dry run)', async () => {
  const store = await openStore();
  try {
    await store.apply({ upserts: [doc('HTTPRoute', 'default', 'a')] });
    const plan = store.plan({ upserts: [doc('HTTPRoute', 'default', 'a'), doc('HTTPRoute', 'default', 'b')], deletes: [] });
    assert.deepEqual(plan.results.map((r) => r.outcome), ['unchanged', 'created']);
    assert.equal(plan.changed, true);
    assert.deepEqual(plan.documents.map((d) => d.key.name), ['a', 'b']);
    assert.equal(store.revision, 1);
    assert.deepEqual(store.list().map((d) => d.key.name), ['a']);
  } finally {
    await store.close();
  }
});

test('documentsAt returns every retained revision and rollback makes a new revision with old content', async () => {
  const store = await openStore();
  try {
    await store.apply({ upserts: [doc('HTTPRoute', 'default', 'a', { v: 1 })] });
    await store.apply({ upserts: [doc('HTTPRoute', 'default', 'b', { v: 1 })] });
    await store.apply({ upserts: [doc('HTTPRoute', 'default', 'a', { v: 2 })], deletes: [{ kind: 'HTTPRoute', namespace: 'default', name: 'b' }] });
    const at = async (r: number): Promise<string[]> => (await store.documentsAt(r)).map((d) => `${d.key.name}=${JSON.stringify(d.body.spec)}`);
    assert.deepEqual(await at(0), []);
    assert.deepEqual(await at(1), ['a={"v":1}']);
    assert.deepEqual(await at(2), ['a={"v":1}', 'b={"v":1}']);
    assert.deepEqual(await at(3), ['a={"v":2}']);
    await assert.rejects(store.documentsAt(4), RevisionNotFoundError);

    const rolled = await store.rollback(2, { author: 'carol' });
    assert.equal(rolled.revision, 4);
    assert.deepEqual(rolled.results.map((r) => `${r.key.name}:${r.outcome}`), ['a:configured', 'b:created']);
    assert.deepEqual(await at(4), await at(2));
    assert.deepEqual(store.revisions().at(-1), {
      revision: 4,
      time: '2025-01-01T00:00:04.000Z',
      author: 'carol',
      message: 'rollback to revision 2',
      rollbackOf: 2,
      summary: { created: 1, configured: 1, unchanged: 0, deleted: 0 },
      documentCount: 2,
    });
    // Rolling back to what is already current changes nothing and makes no revision.
    const noop = await store.rollback(2);
    assert.deepEqual(noop, { revision: 4, changed: false, results: [] });
    const toEmpty = await store.rollback(0, { message: 'wipe' });
    assert.equal(toEmpty.revision, 5);
    assert.deepEqual(toEmpty.results.map((r) => r.outcome), ['deleted', 'deleted']);
    assert.deepEqual(store.list(), []);
    await assert.rejects(store.rollback(99), RevisionNotFoundError);
  } finally {
    await store.close();
  }
});

test('concurrent applies are serialised: revisions follow call order', async () => {
  const store = await openStore();
  try {
    const pending = Array.from({ length: 25 }, (_, i) => store.apply({ upserts: [doc('HTTPRoute', 'default', 'web', { step: i })] }, { message: `step ${i}` }));
    const results = await Promise.all(pending);
    assert.deepEqual(results.map((r) => r.revision), Array.from({ length: 25 }, (_, i) => i + 1));
    assert.deepEqual(store.get({ kind: 'HTTPRoute', namespace: 'default', name: 'web' })?.body.spec, { step: 24 });
    assert.deepEqual(store.revisions().map((r) => r.message), Array.from({ length: 25 }, (_, i) => `step ${i}`));
  } finally {
    await store.close();
  }
});

test('onChanged fires once per durable revision, before apply resolves, and a throwing listener does not fail the apply', async () => {
  const errors: string[] = [];
  const store = await DocumentStore.open({ dir: await tempStoreDir(), onBackgroundError: (_err, context) => errors.push(context) });
  try {
    const events: StoreChangedEvent[] = [];
    const unsubscribe = store.onChanged((e) => events.push(e));
    store.onChanged(() => {
      throw new Error('listener bug');
    });
    let seenAtResolve = -1;
    const result = await store.apply({ upserts: [doc('HTTPRoute', 'default', 'a')] }).then((r) => {
      seenAtResolve = events.length;
      return r;
    });
    assert.equal(seenAtResolve, 1);
    assert.equal(events[0]!.revision, result.revision);
    assert.deepEqual(events[0]!.documents, store.list());
    assert.deepEqual(events[0]!.delta.upserts.map((d) => d.key.name), ['a']);
    assert.deepEqual(errors, ['onChanged listener for revision 1']);
    await store.apply({ upserts: [doc('HTTPRoute', 'default', 'a')] });
    assert.equal(events.length, 1, 'an unchanged apply is not a change');
    unsubscribe();
    await store.apply({ deletes: [{ kind: 'HTTPRoute', namespace: 'default', name: 'a' }] });
    assert.equal(events.length, 1);
  } finally {
    await store.close();
  }
});

test('history is bounded: old revisions are compacted away, recent ones and the current state stay', async () => {
  const dir = await tempStoreDir();
  let store = await DocumentStore.open({ dir, historyLimit: 5, compactionSlack: 2 });
  try {
    const expected: string[][] = [[]];
    const latest = new Map<string, number>();
    for (let i = 1; i <= 20; i++) {
      await store.apply({ upserts: [doc('HTTPRoute', 'default', `r${i % 4}`, { i })] });
      latest.set(`r${i % 4}`, i);
      expected.push([...latest].sort().map(([name, v]) => `${name}=${v}`));
    }
    const at = async (r: number): Promise<string[]> => (await store.documentsAt(r)).map((d) => `${d.key.name}=${String((d.body.spec as { i: number }).i)}`);
    assert.deepEqual(await at(20), expected[20]); // also waits for the compaction queued behind the last apply
    const retained = store.revisions().map((r) => r.revision);
    assert.ok(retained.length >= 5 && retained.length <= 7, `retained ${retained.join(',')}`);
    assert.equal(retained.at(-1), 20);
    assert.equal(store.oldestRevision, retained[0]);
    for (const r of retained) assert.deepEqual(await at(r), expected[r], `revision ${r}`);
    await assert.rejects(store.documentsAt(store.oldestRevision - 1), RevisionNotFoundError);
    await assert.rejects(store.rollback(1), RevisionNotFoundError);
    const before = { current: store.current(), revisions: store.revisions(), oldest: store.oldestRevision };
    await store.close();
    store = await DocumentStore.open({ dir, historyLimit: 5, compactionSlack: 2 });
    assert.deepEqual({ current: store.current(), revisions: store.revisions(), oldest: store.oldestRevision }, before);
  } finally {
    await store.close();
  }
});

test('close lets queued changes finish, then refuses new ones; a second open of the same directory is refused', async () => {
  const dir = await tempStoreDir();
  const store = await DocumentStore.open({ dir });
  await assert.rejects(DocumentStore.open({ dir }), StoreLockedError);
  const queued = [store.apply({ upserts: [doc('HTTPRoute', 'default', 'a')] }), store.apply({ upserts: [doc('HTTPRoute', 'default', 'b')] })];
  await store.close();
  assert.deepEqual((await Promise.all(queued)).map((r) => r.revision), [1, 2]);
  await assert.rejects(store.apply({ upserts: [doc('HTTPRoute', 'default', 'c')] }), StoreUnavailableError);
  await assert.rejects(store.documentsAt(1), StoreUnavailableError);
  const again = await DocumentStore.open({ dir });
  try {
    assert.equal(again.revision, 2);
  } finally {
    await again.close();
  }
});

test('a write that fails before it is durable stores nothing, is reported, and the store stays usable', async () => {
  const dir = await tempStoreDir();
  const store = await DocumentStore.open({ dir });
  try {
    await store.apply({ upserts: [doc('HTTPRoute', 'default', 'a')] });
    // A directory squatting on the temporary file's name makes the write itself fail.
    const blocker = path.join(dir, 'journal', `.${recordName(2)}.${process.pid}.tmp`);
    await fsp.mkdir(blocker);
    await assert.rejects(store.apply({ upserts: [doc('HTTPRoute', 'default', 'b')] }), { code: 'EISDIR' });
    assert.equal(store.revision, 1);
    assert.deepEqual(store.list().map((d) => d.key.name), ['a']);
    await fsp.rmdir(blocker);
    const retried = await store.apply({ upserts: [doc('HTTPRoute', 'default', 'b')] });
    assert.equal(retried.revision, 2);
  } finally {
    await store.close();
  }
});
