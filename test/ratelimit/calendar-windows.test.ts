// Month and year windows follow the UTC calendar (as Kong counts them), so their length varies;
// rules from the IR carry every window, the path key (counted without the query) and Kong headers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { windowAt } from '../../src/ratelimit/units';

test('a month window runs from the 1st 00:00 UTC to the next 1st; February 2024 has 29 days', () => {
  const w = windowAt(Date.UTC(2024, 1, 15, 12), 'month');
  assert.deepEqual(w, { start: Date.UTC(2024, 1, 1), end: Date.UTC(2024, 2, 1) });
  assert.equal((w.end - w.start) / 86_400_000, 29);
  const december = windowAt(Date.UTC(2023, 11, 31, 23, 59), 'month');
  assert.deepEqual(december, { start: Date.UTC(2023, 11, 1), end: Date.UTC(2024, 0, 1) });
});

test('a year window runs from January 1st 00:00 UTC to the next; 2024 has 366 days', () => {
  const w = windowAt(Date.UTC(2024, 6, 4), 'year');
  assert.deepEqual(w, { start: Date.UTC(2024, 0, 1), end: Date.UTC(2025, 0, 1) });
  assert.equal((w.end - w.start) / 86_400_000, 366);
});
