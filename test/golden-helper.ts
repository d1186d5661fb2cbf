// Golden files: a test renders its output deterministically (YAML by default, JSON for *.json) and
// compares it with the file checked in under test/golden/. `npm run golden:update` (which sets
// MESHGATE_UPDATE_GOLDEN=1) rewrites the files instead; review the diff before committing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { decodeAny, encodeAny } from '../src/envoy/codec';
import type { EnvoyResource, JsonObject } from '../src/envoy/resource';
import { TYPE_GROUP_NAME } from '../src/envoy/type-urls';

/** True under `npm run golden:update`. */
export function updatingGolden(): boolean {
  return process.env['MESHGATE_UPDATE_GOLDEN'] === '1';
}

/** The repository root, found upward from this file (works from test/ and from compiled output). */
function repositoryRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'test'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`golden-helper: no repository root above ${__dirname}`);
  }
}

/** Absolute path of a file under test/golden/. */
export function goldenPath(relativeFile: string): string {
  return path.join(repositoryRoot(), 'test', 'golden', relativeFile);
}

/** The sub-directories of test/golden/<dir>, sorted: a golden suite's cases. */
export function goldenCases(dir: string): string[] {
  const root = goldenPath(dir);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** Parses a YAML (or JSON) input file under test/golden/. */
export function readGoldenInput(relativeFile: string): unknown {
  return yaml.load(fs.readFileSync(goldenPath(relativeFile), 'utf8'));
}

export function renderGolden(relativeFile: string, value: unknown): string {
  if (relativeFile.endsWith('.json')) return `${JSON.stringify(value, null, 2)}\n`;
  return yaml.dump(value, { sortKeys: false, noRefs: true, lineWidth: -1 });
}

/** Where two renderings first differ, with a few lines of context from each. */
function diffHint(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  let line = 0;
  while (line < a.length && line < b.length && a[line] === b[line]) line++;
  const from = Math.max(0, line - 3);
  const show = (lines: string[]): string =>
    lines
      .slice(from, line + 4)
      .map((l, i) => `${from + i + 1 === line + 1 ? '>' : ' '} ${String(from + i + 1).padStart(5)} | ${l}`)
      .join('\n');
  return `first difference at line ${line + 1}\n--- golden\n${show(a)}\n--- actual\n${show(b)}`;
}

/**
 * Compares `actual` with the file (or, when `update` is set, rewrites the file if it differs).
 * `label` is how the file is named in failure messages.
 */
export function compareWithFile(file: string, actual: string, update: boolean, label = file): void {
  if (update) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== actual) fs.writeFileSync(file, actual);
    return;
  }
  if (!fs.existsSync(file)) {
    assert.fail(`golden file ${label} does not exist: run \`npm run golden:update\` to create it, then review it`);
  }
  const expected = fs.readFileSync(file, 'utf8');
  if (expected !== actual) {
    assert.fail(`output differs from ${label}; if the change is intended, run \`npm run golden:update\` and review the diff\n${diffHint(expected, actual)}`);
  }
}

/** Renders `value` and compares it with test/golden/<relativeFile> (rewrites it when updating). */
export function expectGolden(relativeFile: string, value: unknown): void {
  compareWithFile(goldenPath(relativeFile), renderGolden(relativeFile, value), updatingGolden(), `test/golden/${relativeFile}`);
}

/**
 * Envoy resources as golden files show them: grouped like Envoy's config_dump sections
 * (listeners, routes, clusters, endpoints, secrets; empty sections left out), with private keys
 * replaced, since key material is never written to golden files.
 */
export function envoySections(resources: readonly EnvoyResource[]): Record<string, JsonObject[]> {
  const out: Record<string, JsonObject[]> = {};
  for (const [typeUrl, section] of Object.entries(TYPE_GROUP_NAME)) {
    const members = resources.filter((r) => r.typeUrl === typeUrl).map((r) => r.json);
    if (members.length > 0) out[section] = members;
  }
  return JSON.parse(JSON.stringify(out, (key, value: unknown) => (key === 'private_key' ? '<redacted>' : value))) as Record<string, JsonObject[]>;
}

/** Every resource is in canonical form: the binary round trip gives back its type and JSON unchanged. */
export function assertCanonical(resources: readonly EnvoyResource[], label = ''): void {
  for (const r of resources) {
    const back = decodeAny(encodeAny(r.typeUrl, r.json));
    assert.equal(back.typeUrl, r.typeUrl);
    assert.deepEqual(back.json, r.json, `${label}${r.name} is not in canonical form: the binary round trip changed it`);
  }
}
