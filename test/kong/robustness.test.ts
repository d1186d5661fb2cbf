// Whatever a Kong file holds, conversion and translation answer with errors, never an exception:
// every Kong golden input is mutated many times (values of other types, dropped and unknown
// fields) with a fixed seed. Refusals never quote a credential value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { parseRawDocuments, toInputDocument } from '../../src/documents/parse';
import { sensitiveValues } from '../../src/documents/redact';
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject, JsonValue } from '../../src/envoy/resource';
import { translate } from '../../translators';
import { goldenCases, goldenPath } from '../golden-helper';

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

const REPLACEMENTS: JsonValue[] = [null, 0, -1, 1.5, 70000, '', 'x', '~(', '/', '*.x', true, [], {}, [1, 'a'], { a: 1 }];

function mutate(value: JsonValue, next: () => number): JsonValue {
  const pick = (): JsonValue => REPLACEMENTS[Math.floor(next() * REPLACEMENTS.length)]!;
  if (Array.isArray(value)) {
    if (value.length === 0 || next() < 0.15) return pick();
    const i = Math.floor(next() * value.length);
    return value.map((v, j) => (j === i ? mutate(v, next) : v));
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    const roll = next();
    if (entries.length === 0 || roll < 0.08) return pick();
    if (roll < 0.16) return { ...value, unexpected: pick() };
    const i = Math.floor(next() * entries.length);
    if (roll < 0.26) return Object.fromEntries(entries.filter((_, j) => j !== i));
    return Object.fromEntries(entries.map(([k, v], j) => [k, j === i ? mutate(v, next) : v]));
  }
  return pick();
}

test('mutated Kong files give errors, not exceptions, and no refusal quotes a secret', () => {
  const next = rng(20261202);
  let mutants = 0;
  let refused = 0;
  for (const name of goldenCases('kong')) {
    const raw = parseRawDocuments(fs.readFileSync(goldenPath(`kong/${name}/input.yaml`), 'utf8')).values;
    for (let round = 0; round < 30; round++) {
      const values = raw.map((v) => mutate(v, next));
      mutants++;
      const documents = values.map((v, i) => toInputDocument(v, i).document).filter((d): d is InputDocument => d !== undefined);
      let errors: { reason: string }[];
      try {
        errors = translate(documents).errors;
      } catch (err) {
        assert.fail(`case ${name}, round ${round}: ${(err as Error).stack}\n${JSON.stringify(values).slice(0, 2000)}`);
      }
      if (errors.length > 0) refused++;
      const secrets = documents.flatMap((d) => sensitiveValues(d as unknown as JsonObject)).filter((s) => s.length >= 6);
      for (const e of errors) for (const s of secrets) assert.ok(!e.reason.includes(s), `case ${name}, round ${round}: a reason quotes a credential: ${e.reason}`);
    }
  }
  assert.ok(refused > mutants / 3, `only ${refused} of ${mutants} mutants were refused`);
});
