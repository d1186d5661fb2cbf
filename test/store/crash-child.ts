// Child process of the crash test: opens the store (recovering from the previous kill), then
// applies the workload as fast as it can with several applies in flight, printing
// "ack <revision>" the moment each apply resolves. The parent SIGKILLs it at a random instant.
// Usage: node crash-child.js <dir> <historyLimit> <compactionSlack> <inFlight>
import { DocumentStore } from '../../src/store/document-store';
import type { ApplyResult } from '../../src/store/types';
import { stepFor } from './crash-workload';

async function main(): Promise<void> {
  const [dir, historyLimit, compactionSlack, inFlight] = process.argv.slice(2);
  if (!dir || !historyLimit || !compactionSlack || !inFlight) throw new Error('usage: crash-child <dir> <historyLimit> <compactionSlack> <inFlight>');
  const store = await DocumentStore.open({ dir, historyLimit: Number(historyLimit), compactionSlack: Number(compactionSlack) });
  // stdout is a pipe, and pipe writes are synchronous on Linux: a printed ack reaches the parent
  // even if the kill arrives right after.
  process.stdout.write(`open ${store.revision}\n`);
  let next = store.revision + 1;
  const limit = next + 5000;
  const submit = (): void => {
    if (next >= limit) return;
    const k = next++;
    const step = stepFor(k);
    const pending: Promise<ApplyResult> = step.op === 'apply' ? store.apply(step.changes, { author: 'crash-child', message: `step ${k}` }) : store.rollback(step.target);
    pending.then(
      (result) => {
        if (result.revision !== k || !result.changed) {
          process.stdout.write(`error expected revision ${k}, got ${result.revision} (changed ${result.changed})\n`);
          process.exit(3);
        }
        process.stdout.write(`ack ${k}\n`);
        submit();
      },
      (err: unknown) => {
        process.stdout.write(`error ${(err as Error).message}\n`);
        process.exit(4);
      },
    );
  };
  for (let i = 0; i < Number(inFlight); i++) submit();
}

main().catch((err: unknown) => {
  process.stdout.write(`error ${(err as Error).stack ?? String(err)}\n`);
  process.exit(2);
});
