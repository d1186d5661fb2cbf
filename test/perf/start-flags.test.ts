// The bench measures the control plane as `npm start` runs it: the child it forks must get the
// same node flags and glibc environment as package.json's start script, or the memory figures in
// `npm run bench` describe a different process than the one users run.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CHILD_ENV, CHILD_NODE_FLAGS } from '../../bench/control-plane-process';

function startScript(): string {
  // From dist/test/perf (or test/perf) up to the repository root.
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file) && fs.existsSync(path.join(dir, 'bench'))) {
      return (JSON.parse(fs.readFileSync(file, 'utf8')) as { scripts: Record<string, string> }).scripts['start']!;
    }
  }
  throw new Error('package.json not found');
}

test('npm start and the bench child use the same node flags and malloc environment', () => {
  const words = startScript().split(/\s+/);
  const node = words.indexOf('node');
  assert.ok(node > 0, `start script runs node: ${startScript()}`);
  const env = Object.fromEntries(words.slice(0, node).map((w) => w.split('=') as [string, string]));
  const flags = words.slice(node + 1).filter((w) => w.startsWith('--'));
  assert.deepEqual(env, CHILD_ENV);
  assert.deepEqual(flags, CHILD_NODE_FLAGS.filter((f) => f !== '--expose-gc'));
});
