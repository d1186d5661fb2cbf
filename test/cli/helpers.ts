// Running the compiled `meshgate` CLI as a child process, the way users run it. Always
// asynchronous: the apply tests serve the admin API from this same process.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** dist/src/cli/main.js (or the same file under any other output directory), next to this compiled file. */
export const CLI_MAIN = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js');

/** The repository root, found upward from this file (works from test/ and from compiled output). */
function repositoryRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'test', 'fixtures'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no repository root above ${__dirname}`);
  }
}

export const FIXTURES = path.join(repositoryRoot(), 'test', 'fixtures');
export const BASIC_FIXTURE = path.join(FIXTURES, 'gateway-basic.yaml');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: readonly string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [CLI_MAIN, ...args],
      { env: { ...process.env, ...options.env }, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
    else child.stdin?.end();
  });
}

/** A temporary directory with the given files; removed by the returned function. */
export function writeTempFiles(files: Readonly<Record<string, string>>): { dir: string; file(name: string): string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-cli-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return { dir, file: (name) => path.join(dir, name), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
