// route.v3.HeaderMatcher, as Http::HeaderUtility::matchHeaders evaluates it (used by route matches,
// RBAC and rate limit actions alike).
import type { JsonObject } from '../envoy/resource';
import { bool, has, num, obj, str } from './json';
import { re2FullMatch } from './regex';
import { headerValue, type RequestView } from './request-view';
import { describeStringMatcher, matchString } from './string-matcher';

export function matchHeader(matcher: JsonObject, view: RequestView): boolean {
  const name = (str(matcher, 'name') ?? '').toLowerCase();
  const invert = bool(matcher, 'invert_match') === true;
  const present = bool(matcher, 'present_match');
  const isPresentMatch = present !== undefined;
  let value = headerValue(view, name);
  if (value === undefined) {
    if (bool(matcher, 'treat_missing_header_as_empty') !== true) {
      // A missing header matches only "present_match: false", or "present_match: true" inverted.
      return isPresentMatch && (invert ? present === true : present === false);
    }
    value = '';
  }
  let match: boolean;
  const exact = str(matcher, 'exact_match');
  const regex = str(obj(matcher, 'safe_regex_match'), 'regex');
  const range = obj(matcher, 'range_match');
  const prefix = str(matcher, 'prefix_match');
  const suffix = str(matcher, 'suffix_match');
  const contains = str(matcher, 'contains_match');
  const stringMatch = obj(matcher, 'string_match');
  if (exact !== undefined) match = exact === '' || value === exact;
  else if (regex !== undefined) match = re2FullMatch(regex, value);
  else if (range) {
    const n = /^-?\d+$/.test(value) ? Number(value) : undefined;
    match = n !== undefined && n >= (num(range, 'start') ?? 0) && n < (num(range, 'end') ?? 0);
  } else if (isPresentMatch) match = present === true;
  else if (prefix !== undefined) match = value.startsWith(prefix);
  else if (suffix !== undefined) match = value.endsWith(suffix);
  else if (contains !== undefined) match = value.includes(contains);
  else if (stringMatch) match = matchString(stringMatch, value);
  else match = true; // only a name: the header must be present
  return match !== invert;
}

export function describeHeaderMatcher(matcher: JsonObject): string {
  const name = str(matcher, 'name') ?? '';
  const not = bool(matcher, 'invert_match') === true ? 'not ' : '';
  let what: string;
  if (str(matcher, 'exact_match') !== undefined) what = `exact ${JSON.stringify(str(matcher, 'exact_match'))}`;
  else if (has(matcher, 'safe_regex_match')) what = `regex ${JSON.stringify(str(obj(matcher, 'safe_regex_match'), 'regex'))}`;
  else if (has(matcher, 'range_match')) {
    const r = obj(matcher, 'range_match');
    what = `in [${num(r, 'start') ?? 0}, ${num(r, 'end') ?? 0})`;
  } else if (bool(matcher, 'present_match') !== undefined) what = bool(matcher, 'present_match') ? 'present' : 'absent';
  else if (str(matcher, 'prefix_match') !== undefined) what = `prefix ${JSON.stringify(str(matcher, 'prefix_match'))}`;
  else if (str(matcher, 'suffix_match') !== undefined) what = `suffix ${JSON.stringify(str(matcher, 'suffix_match'))}`;
  else if (str(matcher, 'contains_match') !== undefined) what = `contains ${JSON.stringify(str(matcher, 'contains_match'))}`;
  else if (has(matcher, 'string_match')) what = describeStringMatcher(obj(matcher, 'string_match') ?? {});
  else what = 'present';
  return `header ${name} ${not}${what}`;
}
