// `meshgate ratelimit` in process: flags checked before anything starts, rules served from the
// --config file, and a reload picks up an edited file while a broken edit keeps the old rules.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { runRatelimit } from '../../src/cli/ratelimit';
import { RuleSetError } from '../../src/ratelimit/rule-set-file';
import { startStandaloneRateLimit } from '../../src/ratelimit/standalone';
import { descriptor, RawRateLimitClient } from './helpers';

function rulesYaml(requests: number): string {
  return `domains:\n  - domain: meshgate\n    rules:\n      - { id: p, descriptor: [{ key: policy, value: p }], requests: ${requests}, unit: day }\n`;
}

test('bad flags, a missing --config and a bad rules file exit with 1 before serving', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-rl-'));
  const write = process.stderr.write;
  let stderr = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'domains: [{ domain: meshgate, rules: [{ id: x }] }]\n');
    assert.equal(await runRatelimit(['--port', 'eighty', '--config', bad], {}), 1);
    assert.equal(await runRatelimit(['--port', '0'], {}), 1);
    assert.equal(await runRatelimit(['--frobnicate', '1'], {}), 1);
    assert.equal(await runRatelimit(['--port', '0', '--host', '127.0.0.1', '--config', bad], {}), 1);
    assert.equal(await runRatelimit(['--port', '0', '--host', '127.0.0.1', '--config', path.join(dir, 'rules.yaml'), '--redis-url', 'rediss://h'], { MESHGATE_LOG_LEVEL: 'silent' }), 1);
  } finally {
    process.stderr.write = write;
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.match(stderr, /--port must be a port number/);
  assert.match(stderr, /--config <rules file> is required/);
  assert.match(stderr, /unknown option --frobnicate/);
  assert.match(stderr, /domains\[0\]\.rules\[0\]\.descriptor: must be a list/);
});

test('the standalone service serves the file\'s rules and reloads them', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-rl-'));
  const file = path.join(dir, 'rules.yaml');
  fs.writeFileSync(file, rulesYaml(1));
  const service = await startStandaloneRateLimit({ host: '127.0.0.1', port: 0, configFile: file, logger: pino({ level: 'silent' }) });
  const client = new RawRateLimitClient(service.port);
  const ask = () => client.call({ domain: 'meshgate', descriptors: [descriptor(['policy', 'p'])] });
  try {
    assert.equal((await ask()).overall_code, 'OK');
    assert.equal((await ask()).overall_code, 'OVER_LIMIT');
    fs.writeFileSync(file, rulesYaml(10));
    service.reload();
    const after = await ask();
    assert.equal(after.overall_code, 'OK');
    assert.equal(after.statuses![0]!.limit_remaining, 7);
    fs.writeFileSync(file, 'domains: nope\n');
    assert.throws(() => service.reload(), RuleSetError);
    assert.equal((await ask()).statuses![0]!.current_limit?.requests_per_unit, 10, 'the old rules stay');
  } finally {
    client.close();
    await service.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
