// The acceptance test for shared limits: two `meshgate ratelimit` processes pointed at one real
// Redis (127.0.0.1:6379; the test fails, never skips, when it is not running). Calls alternate
// between the two processes and together hit the one limit: remaining counts down across both,
// and the request over the limit is refused whichever process answers it.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { after, before, test } from 'node:test';
import type { RedisClient } from '../../src/ratelimit/redis-client';
import { deleteKeysWithPrefix, descriptor, keysWithPrefix, RawRateLimitClient, REDIS_URL, requireRedis, uniquePrefix } from './helpers';

const CLI_MODULE = path.join(__dirname, '..', '..', 'src', 'cli', 'ratelimit.js');
const prefix = uniquePrefix('two-processes');
const LIMIT = 5;

let admin: RedisClient;
let dir: string;
const children: ChildProcess[] = [];
const clients: RawRateLimitClient[] = [];

/** Starts `meshgate ratelimit` (through runRatelimit, as main.ts dispatches it) and resolves with its port. */
function startProcess(config: string): Promise<number> {
  const script = `require(${JSON.stringify(CLI_MODULE)}).runRatelimit(process.argv.slice(1)).then((c) => { if (c !== 0) process.exit(c); }, (e) => { console.error(e); process.exit(1); });`;
  const args = ['--host', '127.0.0.1', '--port', '0', '--config', config, '--redis-url', REDIS_URL, '--redis-key-prefix', prefix, '--log-level', 'info'];
  const child = spawn(process.execPath, ['-e', script, '--', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`meshgate ratelimit did not start within 10 s; stderr: ${stderr}`)), 10_000);
    child.once('exit', (code) => reject(new Error(`meshgate ratelimit exited with ${code}; stderr: ${stderr}`)));
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: { msg?: string; port?: number };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return;
      }
      if (entry.msg === 'rate limit service listening' && typeof entry.port === 'number') {
        clearTimeout(timer);
        resolve(entry.port);
      }
    });
  });
}

/** The counter windows are whole hours: start well inside one so the test never straddles two. */
async function awayFromHourBoundary(): Promise<void> {
  const untilNextHour = 3_600_000 - (Date.now() % 3_600_000);
  if (untilNextHour < 15_000) await new Promise((r) => setTimeout(r, untilNextHour + 100));
}

before(async () => {
  admin = await requireRedis();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-rl-'));
  const config = path.join(dir, 'rules.yaml');
  fs.writeFileSync(
    config,
    ['domains:', '  - domain: meshgate', '    rules:', '      - id: team/login', '        descriptor: [{ key: policy, value: team/login }, { key: remote_address }]', `        requests: ${LIMIT}`, '        unit: hour', ''].join('\n'),
  );
  const ports = await Promise.all([startProcess(config), startProcess(config)]);
  assert.notEqual(ports[0], ports[1]);
  for (const p of ports) clients.push(new RawRateLimitClient(p));
});

after(async () => {
  for (const c of clients) c.close();
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (admin) {
    await deleteKeysWithPrefix(admin, prefix);
    await admin.close();
  }
});

test('calls alternating between two processes share one limit through Redis', async () => {
  await awayFromHourBoundary();
  const login = (via: number, ip: string) => clients[via]!.call({ domain: 'meshgate', descriptors: [descriptor(['policy', 'team/login'], ['remote_address', ip])] });
  const seen: [number, string | undefined, number][] = [];
  for (let i = 0; i < LIMIT + 2; i++) {
    const via = i % 2;
    const answer = await login(via, '203.0.113.9');
    seen.push([via, answer.overall_code, answer.statuses?.[0]?.limit_remaining ?? 0]);
  }
  assert.deepEqual(seen, [
    [0, 'OK', 4],
    [1, 'OK', 3],
    [0, 'OK', 2],
    [1, 'OK', 1],
    [0, 'OK', 0],
    [1, 'OVER_LIMIT', 0],
    [0, 'OVER_LIMIT', 0],
  ]);
  // Another client address has its own counter, on either process.
  assert.equal((await login(1, '203.0.113.10')).overall_code, 'OK');
  // The counters are in Redis under this run's prefix: one per client address and window.
  const keys = await keysWithPrefix(admin, prefix);
  assert.equal(keys.length, 2, keys.join(', '));
  const hourStart = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  assert.ok(keys.every((k) => k.endsWith(`|hour|${hourStart}`) && k.includes('remote_address=203.0.113.')), keys.join(', '));
  const counts = await Promise.all(keys.map((k) => admin.command(['GET', k])));
  assert.deepEqual(counts.map(Number).sort((a, b) => a - b), [1, LIMIT + 2]);
});
