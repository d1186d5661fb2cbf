// The bench's handle on the control plane child (control-plane-child.ts): start it, drive it over
// its admin API like any client would, and ask it for its memory after a forced collection.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { DocumentRef, InputDocument } from '../src/documents/types';
import type { ChildReply } from './control-plane-child';
import { vmRssMiB, type MemorySample } from './measure';

/** V8 flags of the child: what `npm start` uses, plus the bench's GC trigger. */
export const CHILD_NODE_FLAGS: readonly string[] = ['--expose-gc', '--max-semi-space-size=1', '--v8-pool-size=2', '--no-opt'];

/**
 * The environment `npm start` sets (glibc reads it at process start, so it must be in the child's
 * environment, not set from inside): see the README's "Memory" note.
 */
export const CHILD_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '32768' };

export interface ChildMemory extends MemorySample {
  /** /proc/<pid>/status VmRSS read by the bench right after the child's collection. */
  readonly vmRssMiB: number | undefined;
}

export class ControlPlaneProcess {
  private readonly waiting: ((reply: ChildReply) => void)[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly xdsPort: number,
    readonly adminPort: number,
  ) {
    child.on('message', (reply: ChildReply) => this.waiting.shift()?.(reply));
  }

  static start(): Promise<ControlPlaneProcess> {
    const child = fork(path.join(__dirname, 'control-plane-child.js'), [], { execArgv: [...CHILD_NODE_FLAGS], env: { ...process.env, ...CHILD_ENV }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`control plane child exited with ${code} before it was ready`));
      child.once('exit', onExit);
      child.once('message', (reply: ChildReply) => {
        child.off('exit', onExit);
        if (reply.type === 'ready') resolve(new ControlPlaneProcess(child, reply.xdsPort, reply.adminPort));
        else reject(new Error(`control plane child: ${reply.type === 'error' ? reply.message : reply.type}`));
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  async memory(): Promise<ChildMemory> {
    const reply = await new Promise<ChildReply>((resolve) => {
      this.waiting.push(resolve);
      this.child.send({ type: 'memory' });
    });
    if (reply.type !== 'memory') throw new Error(`control plane child: ${reply.type === 'error' ? reply.message : reply.type}`);
    return { ...reply.sample, vmRssMiB: vmRssMiB(this.pid) };
  }

  apply(docs: readonly InputDocument[]): Promise<{ revision: number }> {
    return this.call('POST', '/v1/apply', JSON.stringify(docs)) as Promise<{ revision: number }>;
  }

  delete(ref: DocumentRef): Promise<unknown> {
    return this.call('DELETE', `/v1/resources/${encodeURIComponent(ref.kind)}/${encodeURIComponent(ref.namespace)}/${encodeURIComponent(ref.name)}`);
  }

  rollback(revision: number): Promise<unknown> {
    return this.call('POST', `/v1/revisions/${revision}/rollback`);
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ type: 'close' });
    await exited;
  }

  private async call(method: string, url: string, body?: string): Promise<unknown> {
    const res = await fetch(`http://127.0.0.1:${this.adminPort}${url}`, {
      method,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body } : {}),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${method} ${url}: HTTP ${res.status}: ${text.slice(0, 500)}`);
    return JSON.parse(text) as unknown;
  }
}
