// The only way the store puts bytes on disk: write a temporary file, fsync it, rename it over the
// final name (atomic on POSIX), fsync the directory so the rename itself survives power loss.
// Readers therefore only ever see a final name holding complete content; a crash leaves at most
// a temporary file, which by construction was never acknowledged.
import { promises as fsp } from 'node:fs';
import path from 'node:path';

export const TEMP_SUFFIX = '.tmp';

export function tempNameFor(finalName: string): string {
  return `.${finalName}.${process.pid}${TEMP_SUFFIX}`;
}

/** fsync a directory so entries created, renamed or removed in it are durable. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(dir, 'r');
    await handle.sync();
  } catch (err) {
    // Some platforms (Windows) cannot open or fsync a directory; there the rename is as durable
    // as the OS makes it. Everywhere else a failure is real and must reach the caller.
    const code = (err as NodeJS.ErrnoException).code;
    if (process.platform === 'win32' && (code === 'EISDIR' || code === 'EPERM' || code === 'EACCES')) return;
    throw err;
  } finally {
    await handle?.close();
  }
}

/** Thrown once a rename has happened but its durability is unknown: the caller must fail-stop. */
export class DurabilityUnknownError extends Error {
  override name = 'DurabilityUnknownError';
  constructor(
    readonly file: string,
    override readonly cause: unknown,
  ) {
    super(`could not make ${file} durable: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

/**
 * Writes `data` to `dir/name` durably. Errors before the rename leave the final name untouched
 * (the temporary file is removed) and are safe to retry; errors after it throw
 * DurabilityUnknownError.
 */
export async function writeFileDurably(dir: string, name: string, data: Buffer): Promise<void> {
  const tempPath = path.join(dir, tempNameFor(name));
  const finalPath = path.join(dir, name);
  try {
    const handle = await fsp.open(tempPath, 'w', 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(tempPath, finalPath);
  } catch (err) {
    await fsp.rm(tempPath, { force: true }).catch(() => undefined);
    throw err;
  }
  try {
    await syncDirectory(dir);
  } catch (err) {
    throw new DurabilityUnknownError(finalPath, err);
  }
}

/** Removes files and makes the removal durable; a file that is already gone is fine. */
export async function removeFilesDurably(dir: string, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  for (const name of names) await fsp.rm(path.join(dir, name), { force: true });
  await syncDirectory(dir);
}
