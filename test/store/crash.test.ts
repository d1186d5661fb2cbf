// The durability test: a child performs a burst of applies and is SIGKILLed at random
// instants, many times over the same directory; afterwards every acknowledged revision must be
// there with its exact content, and no revision may be half-written.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { DocumentStore } from '../../src/store/document-store';
import { recordName } from '../../src/store/layout';
import { WorkloadModel, stepFor } from './crash-workload';
import { removeTempStoreDirs, tempStoreDir } from './helpers';

after(removeTempStoreDirs);

const CHILD = path.join(__dirname, 'crash-child.js');

interface Round {
  readonly acked: number[];
  /** The revision the child found on opening; undefined when it was killed before that. */
  readonly openedAt: number | undefined;
  /** Milliseconds from spawn to the child having opened the store. */
  readonly startupMs: number | undefined;
}

/** Runs the child once and SIGKILLs it `delayMs` after it opened the store (or after spawn). */
function runAndKill(dir: string, historyLimit: number, slack: number, delayMs: number, fromSpawn: boolean): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, String(historyLimit), String(slack), '4'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const spawnedAt = Date.now();
    const acked: number[] = [];
    let openedAt: number | undefined;
    let startupMs: number | undefined;
    let buffered = '';
    let timer: NodeJS.Timeout | undefined;
    const killLater = (): void => {
      timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    };
    if (fromSpawn) killLater();
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const [word, value] = line.split(' ');
        if (word === 'ack') acked.push(Number(value));
        else if (word === 'open') {
          openedAt = Number(value);
          startupMs = Date.now() - spawnedAt;
          if (!fromSpawn) killLater();
        } else reject(new Error(`child reported: ${line}`));
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      // Only complete lines count: a partial last line was never fully reported.
      if (signal !== 'SIGKILL') reject(new Error(`child exited on its own (code ${code}, signal ${signal})`));
      else resolve({ acked, openedAt, startupMs });
    });
  });
}

async function verify(dir: string, model: WorkloadModel, acked: readonly number[], historyLimit: number, everyRevision: boolean): Promise<void> {
  const store = await DocumentStore.open({ dir, historyLimit, compactionSlack: 2 });
  try {
    const current = store.revision;
    const maxAcked = Math.max(0, ...acked);
    assert.ok(current >= maxAcked, `revision ${maxAcked} was acknowledged but the store is at ${current}`);
    assert.deepEqual(store.current().documents, model.at(current), 'current documents differ from the workload');

    const oldest = store.oldestRevision;
    // Compaction may only drop revisions that fall outside the configured history.
    assert.ok(oldest <= Math.max(0, current - historyLimit + 1), `oldest retained ${oldest} with current ${current}`);
    const infos = store.revisions();
    assert.deepEqual(infos.map((i) => i.revision), Array.from({ length: current - Math.max(oldest, 1) + 1 }, (_, i) => Math.max(oldest, 1) + i));
    for (const info of infos) {
      assert.equal(info.documentCount, model.at(info.revision).length, `documentCount of revision ${info.revision}`);
      const step = stepFor(info.revision);
      assert.equal(info.rollbackOf, step.op === 'rollback' ? step.target : undefined);
    }

    const ackedSet = new Set(acked);
    const retainedAcked = [...ackedSet].filter((r) => r >= oldest);
    for (const r of ackedSet) if (r < oldest) assert.ok(r <= current - historyLimit, `acknowledged revision ${r} was dropped from a history of ${historyLimit}`);
    // Every retained revision (acknowledged or not) must hold exactly its workload content. The
    // final check reads every one; checks between rounds read a sample plus every unacknowledged
    // survivor, since rebuilding each of a long history is quadratic.
    const unacked = Array.from({ length: current - oldest + 1 }, (_, i) => oldest + i).filter((r) => r > 0 && !ackedSet.has(r));
    const sample = everyRevision ? retainedAcked : retainedAcked.filter((_, i) => i % Math.ceil(retainedAcked.length / 25) === 0);
    for (const r of new Set([...sample, ...unacked])) {
      assert.deepEqual(await store.documentsAt(r), model.at(r), `content of revision ${r}`);
    }

    // Nothing half-written is left: only complete records, exactly the live journal entries.
    const journal = (await fsp.readdir(path.join(dir, 'journal'))).sort();
    const expectedJournal = Array.from({ length: current - oldest }, (_, i) => recordName(oldest + 1 + i));
    assert.deepEqual(journal, expectedJournal);
    assert.deepEqual(await fsp.readdir(path.join(dir, 'snapshots')), oldest > 0 ? [recordName(oldest)] : []);
    assert.equal(store.recoveryReport.quarantined.length, 0, 'a kill never damages a final file');
  } finally {
    await store.close();
  }
}

async function crashRounds(rounds: number, historyLimit: number): Promise<{ acked: number; killedDuringOpen: number }> {
  const dir = await tempStoreDir();
  const model = new WorkloadModel();
  const acked: number[] = [];
  let killedDuringOpen = 0;
  let startupMs = 150;
  for (let round = 0; round < rounds; round++) {
    // Most kills land 5-200 ms into the burst; every third one lands around the time the child
    // is starting up and recovering from the previous kill, so recovery itself gets interrupted.
    const fromSpawn = round % 3 === 2;
    const delay = fromSpawn ? Math.max(5, Math.round(startupMs * (0.8 + Math.random() * 0.3))) : 5 + Math.floor(Math.random() * 196);
    const result = await runAndKill(dir, historyLimit, 2, delay, fromSpawn);
    if (result.startupMs !== undefined) startupMs = result.startupMs;
    if (result.openedAt === undefined) killedDuringOpen++;
    acked.push(...result.acked);
    if (round % 4 === 3 || round === rounds - 1) await verify(dir, model, acked, historyLimit, round === rounds - 1);
  }
  return { acked: acked.length, killedDuringOpen };
}

test('kill -9 at random points during a burst of applies: every acknowledged revision survives intact', async (t) => {
  const { acked, killedDuringOpen } = await crashRounds(12, 100_000);
  t.diagnostic(`${acked} acknowledged revisions, ${killedDuringOpen} kills before the store finished opening`);
  assert.ok(acked > 10, `the child acknowledged only ${acked} revisions; the test did not exercise the store`);
});

test('kill -9 while compaction keeps folding history: acknowledged state survives, nothing half-written', async (t) => {
  const { acked, killedDuringOpen } = await crashRounds(12, 6);
  t.diagnostic(`${acked} acknowledged revisions, ${killedDuringOpen} kills before the store finished opening`);
  assert.ok(acked > 10, `the child acknowledged only ${acked} revisions; the test did not exercise the store`);
});
