// GenerationalWeakMap (src/util/generational-weak-map.ts): an entry always survives the compile
// after its own and stays while every compile asks for it; what nobody asked for during a whole
// compile is let go once enough new entries arrived; few new entries never rotate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advanceMemoEpoch, GenerationalWeakMap } from '../../src/util/generational-weak-map';

const keys = (n: number): object[] => Array.from({ length: n }, () => ({}));

test('entries in use stay across compiles; unused ones go after two rotations', () => {
  const map = new GenerationalWeakMap<object, number>(4);
  const used = keys(3);
  const unused = keys(3);
  advanceMemoEpoch();
  used.forEach((k, i) => map.set(k, i));
  unused.forEach((k, i) => map.set(k, 10 + i));
  // Compile 2: a rotation (6 fresh ≥ 4), then the used entries are asked for and move over.
  advanceMemoEpoch();
  used.forEach((k, i) => assert.equal(map.get(k), i));
  keys(5).forEach((k) => map.set(k, 99));
  // Compile 3: another rotation drops what compile 2 did not ask for.
  advanceMemoEpoch();
  used.forEach((k, i) => assert.equal(map.get(k), i));
  unused.forEach((k) => assert.equal(map.get(k), undefined));
});

test('an entry set in a compile is still there in the next one, however many were set', () => {
  const map = new GenerationalWeakMap<object, number>(2);
  advanceMemoEpoch();
  const many = keys(100);
  many.forEach((k, i) => map.set(k, i));
  advanceMemoEpoch();
  many.forEach((k, i) => assert.equal(map.get(k), i));
});

test('few new entries never rotate: nothing is forgotten', () => {
  const map = new GenerationalWeakMap<object, number>(1000);
  const old = keys(10);
  advanceMemoEpoch();
  old.forEach((k, i) => map.set(k, i));
  for (let c = 0; c < 5; c++) {
    advanceMemoEpoch();
    map.set({}, -1);
  }
  old.forEach((k, i) => assert.equal(map.get(k), i));
});
