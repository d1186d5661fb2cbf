// Whatever users submit, validation and translation answer with errors, never with an exception:
// every golden input is mutated many times (values replaced by values of other types, fields
// dropped, unknown fields added) with a fixed seed, and each mutant goes through both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import yaml from 'js-yaml';
import { goldenCases, goldenPath } from '../golden-helper';
import { translate, validateDocuments } from '../../translators';
import type { InputDocument } from '../../src/documents/types';

/** xorshift32: a small deterministic generator so failures reproduce. */
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

const REPLACEMENTS: unknown[] = [null, 0, -1, 1.5, 70000, '', 'x', '*', '/', true, [], {}, [1, 'a'], { a: 1 }];

/** Replaces one randomly chosen value somewhere in the tree (or drops/adds a key). */
function mutate(value: unknown, next: () => number): unknown {
  if (Array.isArray(value)) {
    if (value.length === 0 || next() < 0.15) return REPLACEMENTS[Math.floor(next() * REPLACEMENTS.length)];
    const i = Math.floor(next() * value.length);
    return value.map((v, j) => (j === i ? mutate(v, next) : v));
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    const roll = next();
    if (entries.length === 0 || roll < 0.1) return REPLACEMENTS[Math.floor(next() * REPLACEMENTS.length)];
    if (roll < 0.2) return { ...value, unexpected: REPLACEMENTS[Math.floor(next() * REPLACEMENTS.length)] };
    const i = Math.floor(next() * entries.length);
    if (roll < 0.3) return Object.fromEntries(entries.filter((_, j) => j !== i));
    return Object.fromEntries(entries.map(([k, v], j) => [k, j === i ? mutate(v, next) : v]));
  }
  return REPLACEMENTS[Math.floor(next() * REPLACEMENTS.length)];
}

test('mutated documents give errors, not exceptions', () => {
  const next = rng(20241122);
  let mutants = 0;
  let rejected = 0;
  for (const name of goldenCases('translators')) {
    const documents = yaml.loadAll(fs.readFileSync(goldenPath(`translators/${name}/input.yaml`), 'utf8')).filter((d) => d != null);
    for (let round = 0; round < 25; round++) {
      const i = Math.floor(next() * documents.length);
      const mutated = documents.map((d, j) => (j === i ? mutate(d, next) : d));
      mutants++;
      let errors: unknown[];
      try {
        errors = validateDocuments(mutated);
        translate(mutated as InputDocument[]);
      } catch (err) {
        assert.fail(`case ${name}, round ${round}: ${(err as Error).stack}\ndocument: ${JSON.stringify(mutated[i])}`);
      }
      if (errors.length > 0) rejected++;
    }
  }
  // Most mutations break a schema rule; the check above is what matters, this keeps it honest.
  assert.ok(rejected > mutants / 2, `only ${rejected} of ${mutants} mutants were rejected`);
});
