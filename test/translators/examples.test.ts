// The documented examples (examples/gateway-api/*.yaml) must stay correct: each file translates
// without errors, every document it contains is accepted (no condition is False) and its Gateway
// is served to a proxy group.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { translate } from '../../translators';
import type { InputDocument } from '../../src/documents/types';

function repositoryRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'examples'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no repository root above ${__dirname}`);
  }
}

const dir = path.join(repositoryRoot(), 'examples', 'gateway-api');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

test('there are Gateway API and meshgate examples', () => {
  assert.ok(files.length >= 8, `found ${files.length} example files`);
});

for (const file of files) {
  test(`example ${file} translates cleanly`, () => {
    const documents = yaml.loadAll(fs.readFileSync(path.join(dir, file), 'utf8')).filter((d) => d != null) as InputDocument[];
    const result = translate(documents);
    assert.deepEqual(result.errors, []);
    for (const s of result.statuses) {
      const conditions = [...(s.conditions ?? []), ...(s.parents ?? []).flatMap((p) => p.conditions)];
      const listenerConditions = ((s as { listeners?: { conditions: typeof conditions }[] }).listeners ?? []).flatMap((l) => l.conditions);
      for (const c of [...conditions, ...listenerConditions]) {
        if (c.type === 'Conflicted') continue;
        assert.notEqual(c.status, 'False', `${s.document.kind} ${s.document.namespace}/${s.document.name}: ${c.type} ${c.reason}: ${c.message}`);
      }
    }
    assert.ok(result.ir.proxies.length > 0, 'no proxy group');
    const routes = result.ir.proxies.flatMap((p) => p.listeners.flatMap((l) => l.virtualHosts.flatMap((v) => v.routes)));
    assert.ok(routes.length > 0, 'no route');
  });
}
