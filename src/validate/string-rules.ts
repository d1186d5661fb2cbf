// validate.StringRules. Lengths (len, min_len, max_len) count code points; *_bytes count UTF-8 bytes.
import { checkOf, type Predicate, type ValueCheck } from './check';
import { compileRe2 } from './re2';
import { type RuleObject, ruleBool, ruleCount, ruleList, ruleString } from './rule-options';
import {
  isAddress,
  isEmail,
  isHostname,
  isHttpHeaderName,
  isHttpHeaderValue,
  isIp,
  isIpv4,
  isIpv6,
  isUri,
  isUriRef,
  isUuid,
} from './string-formats';

const SURROGATE = /[\uD800-\uDFFF]/;

/** Unicode code points in the string (what PGV calls runes). */
export function codePointLength(value: string): number {
  if (!SURROGATE.test(value)) return value.length;
  let n = 0;
  for (const _ of value) n++;
  return n;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

const quote = (s: string): string => JSON.stringify(s);

export function compileStringRules(rules: RuleObject, prefix: string): ValueCheck<string> | undefined {
  const p: Predicate<string>[] = [];
  const constValue = ruleString(rules, 'const');
  if (constValue !== undefined) p.push({ rule: `${prefix}.const`, test: (v) => v === constValue, message: `must equal ${quote(constValue)}` });

  const inList = ruleList(rules, 'in').filter((x): x is string => typeof x === 'string');
  if (inList.length > 0) {
    const set = new Set(inList);
    p.push({ rule: `${prefix}.in`, test: (v) => set.has(v), message: `must be in list [${inList.map(quote).join(', ')}]` });
  }
  const notIn = ruleList(rules, 'not_in').filter((x): x is string => typeof x === 'string');
  if (notIn.length > 0) {
    const set = new Set(notIn);
    p.push({ rule: `${prefix}.not_in`, test: (v) => !set.has(v), message: `must not be in list [${notIn.map(quote).join(', ')}]` });
  }

  const len = ruleCount(rules, 'len');
  if (len !== undefined) p.push({ rule: `${prefix}.len`, test: (v) => codePointLength(v) === len, message: `must be exactly ${plural(len, 'character')}` });
  const minLen = ruleCount(rules, 'min_len');
  if (minLen) p.push({ rule: `${prefix}.min_len`, test: (v) => codePointLength(v) >= minLen, message: `length must be at least ${plural(minLen, 'character')}` });
  const maxLen = ruleCount(rules, 'max_len');
  if (maxLen !== undefined) p.push({ rule: `${prefix}.max_len`, test: (v) => codePointLength(v) <= maxLen, message: `length must be at most ${plural(maxLen, 'character')}` });

  const lenBytes = ruleCount(rules, 'len_bytes');
  if (lenBytes !== undefined) p.push({ rule: `${prefix}.len_bytes`, test: (v) => Buffer.byteLength(v) === lenBytes, message: `must be exactly ${plural(lenBytes, 'byte')}` });
  const minBytes = ruleCount(rules, 'min_bytes');
  if (minBytes) p.push({ rule: `${prefix}.min_bytes`, test: (v) => Buffer.byteLength(v) >= minBytes, message: `length must be at least ${plural(minBytes, 'byte')}` });
  const maxBytes = ruleCount(rules, 'max_bytes');
  if (maxBytes !== undefined) {
    // A UTF-8 byte is at least a UTF-16 unit and at most three, so most strings need no encoding.
    const test = (v: string): boolean => v.length * 3 <= maxBytes || (v.length <= maxBytes && Buffer.byteLength(v) <= maxBytes);
    p.push({ rule: `${prefix}.max_bytes`, test, message: `length must be at most ${plural(maxBytes, 'byte')}` });
  }

  const pattern = ruleString(rules, 'pattern');
  if (pattern !== undefined) {
    const re = tryCompile(pattern);
    if (re) p.push({ rule: `${prefix}.pattern`, test: (v) => re.test(v), message: `does not match regex pattern ${quote(pattern)}` });
  }
  const prefixValue = ruleString(rules, 'prefix');
  if (prefixValue) p.push({ rule: `${prefix}.prefix`, test: (v) => v.startsWith(prefixValue), message: `does not have prefix ${quote(prefixValue)}` });
  const suffix = ruleString(rules, 'suffix');
  if (suffix) p.push({ rule: `${prefix}.suffix`, test: (v) => v.endsWith(suffix), message: `does not have suffix ${quote(suffix)}` });
  const contains = ruleString(rules, 'contains');
  if (contains) p.push({ rule: `${prefix}.contains`, test: (v) => v.includes(contains), message: `does not contain substring ${quote(contains)}` });
  const notContains = ruleString(rules, 'not_contains');
  if (notContains) p.push({ rule: `${prefix}.not_contains`, test: (v) => !v.includes(notContains), message: `contains substring ${quote(notContains)}` });

  const wellKnown = wellKnownPredicate(rules, prefix);
  if (wellKnown) p.push(wellKnown);

  const ignoreEmpty = ruleBool(rules, 'ignore_empty') === true;
  return checkOf(p, ignoreEmpty ? (v) => v === '' : undefined);
}

function tryCompile(pattern: string): RegExp | undefined {
  try {
    return compileRe2(pattern);
  } catch {
    // Every pattern of the loaded Envoy API translates (a test walks them all); a pattern that
    // does not is left to the proxy rather than rejecting configs meshgate cannot judge.
    return undefined;
  }
}

function wellKnownPredicate(rules: RuleObject, prefix: string): Predicate<string> | undefined {
  const flag = (key: string): boolean => ruleBool(rules, key) === true;
  if (flag('email')) return { rule: `${prefix}.email`, test: isEmail, message: 'must be a valid email address' };
  if (flag('hostname')) return { rule: `${prefix}.hostname`, test: isHostname, message: 'must be a valid hostname' };
  if (flag('ip')) return { rule: `${prefix}.ip`, test: isIp, message: 'must be a valid IP address' };
  if (flag('ipv4')) return { rule: `${prefix}.ipv4`, test: isIpv4, message: 'must be a valid IPv4 address' };
  if (flag('ipv6')) return { rule: `${prefix}.ipv6`, test: isIpv6, message: 'must be a valid IPv6 address' };
  if (flag('uri')) return { rule: `${prefix}.uri`, test: isUri, message: 'must be a valid absolute URI' };
  if (flag('uri_ref')) return { rule: `${prefix}.uri_ref`, test: isUriRef, message: 'must be a valid URI reference' };
  if (flag('address')) return { rule: `${prefix}.address`, test: isAddress, message: 'must be a valid hostname or IP address' };
  if (flag('uuid')) return { rule: `${prefix}.uuid`, test: isUuid, message: 'must be a valid UUID' };
  const regex = rules['well_known_regex'];
  const strict = ruleBool(rules, 'strict') !== false;
  if (regex === 'HTTP_HEADER_NAME' || regex === 1) {
    return {
      rule: `${prefix}.well_known_regex`,
      test: (v) => isHttpHeaderName(v, strict),
      message: strict ? 'must be a valid HTTP header name' : 'must be a valid HTTP header name (no NUL, CR or LF)',
    };
  }
  if (regex === 'HTTP_HEADER_VALUE' || regex === 2) {
    return {
      rule: `${prefix}.well_known_regex`,
      test: (v) => isHttpHeaderValue(v, strict),
      message: strict ? 'must be a valid HTTP header value' : 'must be a valid HTTP header value (no NUL, CR or LF)',
    };
  }
  return undefined;
}
