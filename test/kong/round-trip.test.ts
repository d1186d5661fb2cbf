// The round trip, through the real CLI and a real control plane: a Kong file is converted by
// `meshgate convert` (the compiled CLI, YAML on stdout), the output is applied to a fresh control
// plane, and every Envoy resource of gateway/default/kong equals what applying the Kong file
// directly serves.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES, runCli } from '../cli/helpers';
import { call, served, startPlane } from './plane';

async function servedAfterApply(text: string): Promise<Record<string, Record<string, unknown>>> {
  const p = await startPlane();
  try {
    const answer = await call(p.plane, 'POST', '/v1/apply', text);
    assert.equal(answer.status, 200, answer.text);
    return served(p.plane);
  } finally {
    await p.close();
    fs.rmSync(p.dir, { recursive: true, force: true });
  }
}

const EXAMPLES = path.join(FIXTURES, '..', '..', 'examples', 'kong');

describe('Kong file → meshgate convert → apply serves the same Envoy resources', { concurrency: 2 }, () => {
  for (const file of [path.join(EXAMPLES, 'demo.yaml'), path.join(FIXTURES, 'kong', 'round-trip.yaml')]) {
    it(path.basename(file), async () => {
      const converted = await runCli(['convert', '-f', file]);
      assert.equal(converted.code, 0, converted.stderr);
      assert.doesNotMatch(converted.stdout, /_format_version:/, 'the output holds no Kong file');
      const direct = await servedAfterApply(fs.readFileSync(file, 'utf8'));
      const viaConvert = await servedAfterApply(converted.stdout);
      assert.ok(Object.keys(direct).length >= 4, 'listeners, routes, clusters and endpoints are served');
      assert.deepEqual(viaConvert, direct);
    });
  }
});
