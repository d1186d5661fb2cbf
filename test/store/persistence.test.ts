// What survives a restart and what a restart makes of files left behind by crashes or damage.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { DocumentStore } from '../../src/store/document-store';
import { StoreCorruptError, StoreLockedError } from '../../src/store/errors';
import { recordName } from '../../src/store/layout';
import { doc, fixedClock, removeTempStoreDirs, tempStoreDir } from './helpers';

after(removeTempStoreDirs);

async function seeded(revisions: number, options: { historyLimit?: number; compactionSlack?: number } = {}): Promise<string> {
  const dir = await tempStoreDir();
  const store = await DocumentStore.open({ dir, now: fixedClock(), ...options });
  for (let i = 1; i <= revisions; i++) {
    await store.apply({ upserts: [doc('HTTPRoute', `ns${i % 2}`, `route-${i % 3}`, { i })] }, { message: `change ${i}` });
  }
  await store.close();
  return dir;
}

async function listing(dir: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const sub of ['journal', 'snapshots', 'quarantine']) out[sub] = (await fsp.readdir(path.join(dir, sub)).catch(() => [])).sort();
  return out;
}

const journalFile = (dir: string, revision: number): string => path.join(dir, 'journal', recordName(revision));

test('a restart loads the same documents in the same order with the same history', async () => {
  const dir = await tempStoreDir();
  let store = await DocumentStore.open({ dir, now: fixedClock() });
  await store.apply({ upserts: [doc('HTTPRoute', 'b', 'z', { n: 1 }), doc('Gateway', 'a', 'gw'), doc('HTTPRoute', 'a', 'y')] }, { author: 'alice' });
  await store.apply({ upserts: [doc('Backend', 'c', 'svc', { endpoints: [{ address: '10.0.0.1', port: 80 }] }), doc('HTTPRoute', 'b', 'z', { n: 2 })] });
  await store.apply({ deletes: [{ kind: 'HTTPRoute', namespace: 'a', name: 'y' }] });
  const before = { text: JSON.stringify(store.current()), revisions: store.revisions(), history: await store.documentsAt(1) };
  await store.close();

  store = await DocumentStore.open({ dir, now: fixedClock() });
  try {
    assert.equal(JSON.stringify(store.current()), before.text);
    assert.deepEqual(store.revisions(), before.revisions);
    assert.deepEqual(await store.documentsAt(1), before.history);
    assert.deepEqual(store.recoveryReport, { removedTempFiles: [], quarantined: [], removedStaleFiles: [] });
    const next = await store.apply({ upserts: [doc('HTTPRoute', 'b', 'z', { n: 3 })] });
    assert.equal(next.revision, 4);
  } finally {
    await store.close();
  }
});

test('partial temporary files (writes never acknowledged) are ignored and removed', async () => {
  const dir = await seeded(3);
  await fsp.writeFile(path.join(dir, 'journal', `.${recordName(4)}.12345.tmp`), '{"format":"meshgate-store/1","type":"jour');
  await fsp.writeFile(path.join(dir, 'snapshots', `.${recordName(3)}.12345.tmp`), '');
  const store = await DocumentStore.open({ dir });
  try {
    assert.equal(store.revision, 3);
    assert.deepEqual(store.recoveryReport.removedTempFiles, [`journal/.${recordName(4)}.12345.tmp`, `snapshots/.${recordName(3)}.12345.tmp`]);
    assert.deepEqual(await listing(dir), { journal: [1, 2, 3].map(recordName), snapshots: [], quarantine: [] });
  } finally {
    await store.close();
  }
});

test('a torn last journal entry is set aside as never acknowledged and its number is reused', async () => {
  const dir = await seeded(4);
  const bytes = await fsp.readFile(journalFile(dir, 4));
  await fsp.writeFile(journalFile(dir, 4), bytes.subarray(0, Math.floor(bytes.length / 2)));
  let store = await DocumentStore.open({ dir });
  try {
    assert.equal(store.revision, 3);
    assert.equal(store.recoveryReport.quarantined.length, 1);
    assert.match(store.recoveryReport.quarantined[0]!, /^journal\/000000000004\.jsonl \(payload is \d+ bytes, header says \d+\)$/);
    const kept = await listing(dir);
    assert.deepEqual(kept.journal, [1, 2, 3].map(recordName));
    assert.equal(kept.quarantine!.length, 1);
    assert.deepEqual(await fsp.readFile(path.join(dir, 'quarantine', kept.quarantine![0]!)), bytes.subarray(0, Math.floor(bytes.length / 2)));
    assert.deepEqual(store.get({ kind: 'HTTPRoute', namespace: 'ns1', name: 'route-0' })?.body.spec, { i: 3 });
    const next = await store.apply({ upserts: [doc('HTTPRoute', 'ns0', 'fresh')] });
    assert.equal(next.revision, 4);
    await store.close();
    store = await DocumentStore.open({ dir });
    assert.equal(store.revision, 4);
    assert.ok(store.get({ kind: 'HTTPRoute', namespace: 'ns0', name: 'fresh' }));
  } finally {
    await store.close();
  }
});

test('a last journal entry whose checksum does not match is treated the same way', async () => {
  const dir = await seeded(3);
  const bytes = await fsp.readFile(journalFile(dir, 3));
  bytes[bytes.length - 5] ^= 0x01;
  await fsp.writeFile(journalFile(dir, 3), bytes);
  const store = await DocumentStore.open({ dir });
  try {
    assert.equal(store.revision, 2);
    assert.match(store.recoveryReport.quarantined[0]!, /checksum mismatch/);
  } finally {
    await store.close();
  }
});

test('damage followed by later revisions means acknowledged data is lost: opening fails and changes nothing', async () => {
  const dir = await seeded(4);
  const bytes = await fsp.readFile(journalFile(dir, 2));
  await fsp.writeFile(journalFile(dir, 2), bytes.subarray(0, bytes.length - 3));
  await fsp.writeFile(path.join(dir, 'journal', `.${recordName(5)}.1.tmp`), 'partial');
  const before = await listing(dir);
  await assert.rejects(DocumentStore.open({ dir }), (err: unknown) => err instanceof StoreCorruptError && /later revisions exist/.test(err.message));
  assert.deepEqual(await listing(dir), before);
  // The lock was released: a second attempt fails for the same reason, not because of the lock.
  await assert.rejects(DocumentStore.open({ dir }), StoreCorruptError);
});

test('a gap in the journal numbering is refused', async () => {
  const dir = await seeded(4);
  await fsp.rm(journalFile(dir, 2));
  await assert.rejects(DocumentStore.open({ dir }), /jumps from revision 1 to 3/);
});

test('a record of an unknown format is refused rather than skipped', async () => {
  const dir = await seeded(2);
  const payload = Buffer.from('{}');
  const header = { format: 'meshgate-store/9', type: 'journal', revision: 2, bytes: payload.length, sha256: createHash('sha256').update(payload).digest('hex') };
  await fsp.writeFile(journalFile(dir, 2), Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), payload]));
  await assert.rejects(DocumentStore.open({ dir }), /unsupported store format "meshgate-store\/9"/);
});

test('leftovers of an interrupted compaction are removed and the state is unaffected', async () => {
  // History of 10 revisions; a compaction down to 3 retained revisions writes snapshot 8 and
  // removes journal entries 1..8. Put those entries back, as if the process died in between.
  const dir = await seeded(10);
  const saved = new Map<number, Buffer>();
  for (let r = 1; r <= 8; r++) saved.set(r, await fsp.readFile(journalFile(dir, r)));
  let store = await DocumentStore.open({ dir, historyLimit: 3, compactionSlack: 1 });
  const expected = { current: store.current(), revisions: store.revisions(), at8: await store.documentsAt(8) };
  await store.close();
  assert.deepEqual(await listing(dir), { journal: [9, 10].map(recordName), snapshots: [recordName(8)], quarantine: [] });
  for (const [r, bytes] of saved) await fsp.writeFile(journalFile(dir, r), bytes);

  store = await DocumentStore.open({ dir, historyLimit: 3, compactionSlack: 1 });
  try {
    assert.deepEqual({ current: store.current(), revisions: store.revisions(), at8: await store.documentsAt(8) }, expected);
    assert.deepEqual(store.recoveryReport.removedStaleFiles, [1, 2, 3, 4, 5, 6, 7, 8].map((r) => `journal/${recordName(r)}`));
    assert.deepEqual(await listing(dir), { journal: [9, 10].map(recordName), snapshots: [recordName(8)], quarantine: [] });
  } finally {
    await store.close();
  }
});

test('a damaged newest snapshot falls back to an older base only when the journal still covers the gap', async () => {
  const dir = await seeded(10);
  const saved = new Map<number, Buffer>();
  for (let r = 1; r <= 8; r++) saved.set(r, await fsp.readFile(journalFile(dir, r)));
  let store = await DocumentStore.open({ dir, historyLimit: 3, compactionSlack: 1 });
  const expected = JSON.stringify(store.current());
  await store.close();
  const snapshot = path.join(dir, 'snapshots', recordName(8));
  const snapshotBytes = await fsp.readFile(snapshot);
  await fsp.writeFile(snapshot, snapshotBytes.subarray(0, 40));

  // Without the journal entries the snapshot replaced, revisions 1..8 are unrecoverable.
  await assert.rejects(DocumentStore.open({ dir }), /jumps from revision 0 to 9/);

  for (const [r, bytes] of saved) await fsp.writeFile(journalFile(dir, r), bytes);
  store = await DocumentStore.open({ dir });
  try {
    assert.equal(JSON.stringify(store.current()), expected);
    assert.equal(store.oldestRevision, 0);
    assert.match(store.recoveryReport.quarantined[0]!, /^snapshots\/000000000008\.jsonl/);
  } finally {
    await store.close();
  }
});

test('a lock held by a live process is respected; one left by a dead process is taken over', async () => {
  const dir = await seeded(1);
  // Our parent (the test runner) is alive and is not this process.
  await fsp.writeFile(path.join(dir, 'store.lock'), `${process.ppid}\n`);
  await assert.rejects(DocumentStore.open({ dir }), (err: unknown) => err instanceof StoreLockedError && err.message.includes(String(process.ppid)));

  const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  await fsp.writeFile(path.join(dir, 'store.lock'), `${exited.stdout}\n`);
  const store = await DocumentStore.open({ dir });
  try {
    assert.equal(store.revision, 1);
    assert.equal((await fsp.readFile(path.join(dir, 'store.lock'), 'utf8')).trim(), String(process.pid));
  } finally {
    await store.close();
  }
  await assert.rejects(fsp.stat(path.join(dir, 'store.lock')), { code: 'ENOENT' });
});
