// type.matcher.v3.StringMatcher: exact / prefix / suffix / contains (optionally ignore_case) and
// safe_regex (a full match; ignore_case does not apply to it).
import type { JsonObject } from '../envoy/resource';
import { bool, has, obj, str } from './json';
import { re2FullMatch } from './regex';

export function matchString(matcher: JsonObject, value: string): boolean {
  const ignoreCase = bool(matcher, 'ignore_case') === true;
  const fold = (s: string): string => (ignoreCase ? s.toLowerCase() : s);
  const exact = str(matcher, 'exact');
  if (exact !== undefined) return fold(value) === fold(exact);
  const prefix = str(matcher, 'prefix');
  if (prefix !== undefined) return fold(value).startsWith(fold(prefix));
  const suffix = str(matcher, 'suffix');
  if (suffix !== undefined) return fold(value).endsWith(fold(suffix));
  const contains = str(matcher, 'contains');
  if (contains !== undefined) return fold(value).includes(fold(contains));
  const regex = str(obj(matcher, 'safe_regex'), 'regex');
  if (regex !== undefined) return re2FullMatch(regex, value);
  // A proto3 JSON "exact": "" is omitted, which leaves an empty matcher: it means exact "".
  if (!has(matcher, 'custom')) return value === '';
  return false;
}

/** A short description, e.g. `prefix "/api"`. */
export function describeStringMatcher(matcher: JsonObject): string {
  const ic = bool(matcher, 'ignore_case') === true ? ' (ignore case)' : '';
  for (const kind of ['exact', 'prefix', 'suffix', 'contains']) {
    const v = str(matcher, kind);
    if (v !== undefined) return `${kind} ${JSON.stringify(v)}${ic}`;
  }
  const regex = str(obj(matcher, 'safe_regex'), 'regex');
  if (regex !== undefined) return `regex ${JSON.stringify(regex)}`;
  if (has(matcher, 'custom')) return 'custom matcher';
  return 'exact ""';
}
