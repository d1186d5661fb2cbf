// One writer per store directory. Two processes appending to the same journal would interleave
// revision numbers and destroy the history, so opening takes a pid lock file; a lock left behind
// by a process that died (kill -9) is taken over. Within one process a registry catches a second
// open of the same directory, which the pid check alone cannot tell from a stale lock.
import { promises as fsp } from 'node:fs';
import { StoreLockedError } from './errors';

const heldInThisProcess = new Set<string>();

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface StoreLock {
  release(): Promise<void>;
}

export async function acquireStoreLock(lockPath: string, dirKey: string): Promise<StoreLock> {
  if (heldInThisProcess.has(dirKey)) throw new StoreLockedError(`the store in ${dirKey} is already open in this process`);
  heldInThisProcess.add(dirKey);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await fsp.writeFile(lockPath, `${process.pid}\n`, { flag: 'wx' });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      }
      const owner = Number.parseInt(await fsp.readFile(lockPath, 'utf8').catch(() => ''), 10);
      // Our own pid in the file can only be a leftover of an earlier process that had it (pid
      // reuse across container restarts), since this process does not hold the lock.
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processIsAlive(owner)) {
        throw new StoreLockedError(`the store in ${dirKey} is in use by process ${owner} (remove ${lockPath} if that process is not meshgate)`);
      }
      await fsp.rm(lockPath, { force: true });
    }
  } catch (err) {
    heldInThisProcess.delete(dirKey);
    throw err;
  }
  let released = false;
  return {
    async release(): Promise<void> {
      if (released) return;
      released = true;
      heldInThisProcess.delete(dirKey);
      await fsp.rm(lockPath, { force: true });
    },
  };
}
