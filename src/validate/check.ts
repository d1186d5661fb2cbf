// A compiled rule is a list of predicates, checked in protoc-gen-validate's order. Like PGV, a
// value reports only its first broken rule: "must be at least 1 characters" and "does not match
// the header-name pattern" for the same empty string would say the same thing twice.
import type { RawIssue } from './issue';

export interface Predicate<T> {
  /** e.g. "string.min_len". */
  readonly rule: string;
  /** True when the value satisfies the rule. */
  readonly test: (value: T) => boolean;
  readonly message: string | ((value: T) => string);
}

/** Checks one value; pushes at most one issue. */
export type ValueCheck<T> = (value: T, path: string, out: RawIssue[]) => void;

export function checkOf<T>(predicates: readonly Predicate<T>[], skip?: (value: T) => boolean): ValueCheck<T> | undefined {
  if (predicates.length === 0) return undefined;
  return (value, path, out) => {
    if (skip?.(value)) return;
    for (const p of predicates) {
      if (!p.test(value)) {
        out.push({ path, rule: p.rule, message: typeof p.message === 'string' ? p.message : p.message(value) });
        return;
      }
    }
  };
}
