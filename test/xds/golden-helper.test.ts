// The golden-file helper itself: a missing file or a difference fails with a pointer to
// `npm run golden:update` and the first differing line; updating writes the file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { compareWithFile, renderGolden } from '../golden-helper';

const tempDirs: string[] = [];
after(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-golden-'));
  tempDirs.push(dir);
  return path.join(dir, 'case', 'out.yaml');
}

test('a missing golden file fails unless updating, and updating creates it', () => {
  const file = tempFile();
  assert.throws(() => compareWithFile(file, 'a: 1\n', false), /does not exist: run `npm run golden:update`/);
  compareWithFile(file, 'a: 1\n', true);
  assert.equal(fs.readFileSync(file, 'utf8'), 'a: 1\n');
  compareWithFile(file, 'a: 1\n', false);
});

test('a difference fails with the first differing line of both versions', () => {
  const file = tempFile();
  compareWithFile(file, 'a: 1\nb: 2\nc: 3\n', true);
  assert.throws(
    () => compareWithFile(file, 'a: 1\nb: 20\nc: 3\n', false),
    (e: unknown) => e instanceof Error && /first difference at line 2/.test(e.message) && /b: 2\n/.test(e.message) && /b: 20/.test(e.message),
  );
});

test('YAML keeps key order, never uses anchors and does not fold long lines', () => {
  const shared = { x: 'y'.repeat(200) };
  const text = renderGolden('case/out.yaml', { z: 1, a: [shared, shared] });
  assert.ok(text.startsWith('z: 1\na:\n'));
  assert.ok(!text.includes('&') && !text.includes('*ref'));
  assert.ok(text.includes(`x: ${'y'.repeat(200)}\n`));
  assert.equal(renderGolden('case/out.json', { b: 1 }), '{\n  "b": 1\n}\n');
});
