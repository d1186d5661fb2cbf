// The control plane as the bench runs it: its own process, so its memory is measured without the
// bench's client and generated documents. Started by bench/main.ts through child_process.fork with
// --expose-gc; it answers over the IPC channel only (the GC trigger exists in this bench entry and
// nowhere in `meshgate serve`).
//   → parent: { type: 'ready', xdsPort, adminPort } once serving
//   ← parent: { type: 'memory' }  → { type: 'memory', sample } after a full collection
//   ← parent: { type: 'close' }   → closes the control plane and exits
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startControlPlane } from '../src/app';
import { memoryAfterGc, type MemorySample } from './measure';

export type ChildRequest = { readonly type: 'memory' } | { readonly type: 'close' };
export type ChildReply =
  | { readonly type: 'ready'; readonly xdsPort: number; readonly adminPort: number }
  | { readonly type: 'memory'; readonly sample: MemorySample }
  | { readonly type: 'error'; readonly message: string };

function reply(message: ChildReply): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('control-plane-child: start it with child_process.fork (it needs the IPC channel)');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-bench-'));
  const plane = await startControlPlane({
    xdsHost: '127.0.0.1',
    xdsPort: 0,
    adminHost: '127.0.0.1',
    adminPort: 0,
    dataDir,
    logLevel: 'silent',
    identifier: 'meshgate-bench',
  });
  process.on('message', (raw: unknown) => {
    const request = raw as ChildRequest;
    if (request.type === 'memory') {
      memoryAfterGc().then((sample) => reply({ type: 'memory', sample }), (err: unknown) => reply({ type: 'error', message: String(err) }));
    } else if (request.type === 'close') {
      void plane.close().finally(() => {
        fs.rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      });
    }
  });
  // The parent going away (bench crashed or was interrupted) ends the control plane too.
  process.on('disconnect', () => {
    void plane.close().finally(() => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  });
  reply({ type: 'ready', xdsPort: plane.xdsPort, adminPort: plane.adminPort });
}

main().catch((err: unknown) => {
  reply({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
