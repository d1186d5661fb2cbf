// validate.BytesRules. Rule literals come from the proto text as strings whose characters are the
// byte values (text-format escapes such as "\x01" are already decoded).
import { checkOf, type Predicate, type ValueCheck } from './check';
import { compileRe2 } from './re2';
import { type RuleObject, ruleBool, ruleCount, ruleList } from './rule-options';

function literalBytes(value: unknown): Buffer | undefined {
  if (typeof value !== 'string') return undefined;
  // Characters above 0xFF cannot be byte escapes: the literal was written as UTF-8 text.
  return Buffer.from(value, /[^\x00-\xff]/.test(value) ? 'utf8' : 'latin1');
}

const show = (b: Buffer): string => `0x${b.toString('hex')}`;

export function compileBytesRules(rules: RuleObject, prefix: string): ValueCheck<Uint8Array> | undefined {
  const p: Predicate<Buffer>[] = [];
  const constValue = literalBytes(rules['const']);
  if (constValue) p.push({ rule: `${prefix}.const`, test: (v) => v.equals(constValue), message: `must equal ${show(constValue)}` });
  const inList = ruleList(rules, 'in').flatMap((x) => literalBytes(x) ?? []);
  if (inList.length > 0) p.push({ rule: `${prefix}.in`, test: (v) => inList.some((x) => x.equals(v)), message: `must be in list [${inList.map(show).join(', ')}]` });
  const notIn = ruleList(rules, 'not_in').flatMap((x) => literalBytes(x) ?? []);
  if (notIn.length > 0) p.push({ rule: `${prefix}.not_in`, test: (v) => !notIn.some((x) => x.equals(v)), message: `must not be in list [${notIn.map(show).join(', ')}]` });

  const len = ruleCount(rules, 'len');
  if (len !== undefined) p.push({ rule: `${prefix}.len`, test: (v) => v.length === len, message: `must be exactly ${len} bytes` });
  const minLen = ruleCount(rules, 'min_len');
  if (minLen) p.push({ rule: `${prefix}.min_len`, test: (v) => v.length >= minLen, message: `length must be at least ${minLen} bytes` });
  const maxLen = ruleCount(rules, 'max_len');
  if (maxLen !== undefined) p.push({ rule: `${prefix}.max_len`, test: (v) => v.length <= maxLen, message: `length must be at most ${maxLen} bytes` });

  const pattern = typeof rules['pattern'] === 'string' ? rules['pattern'] : undefined;
  if (pattern !== undefined) {
    let re: RegExp | undefined;
    try {
      re = compileRe2(pattern);
    } catch {
      re = undefined; // see string-rules: untranslatable patterns are left to the proxy
    }
    const compiled = re;
    if (compiled) p.push({ rule: `${prefix}.pattern`, test: (v) => compiled.test(v.toString('utf8')), message: `does not match regex pattern ${JSON.stringify(pattern)}` });
  }
  const prefixValue = literalBytes(rules['prefix']);
  if (prefixValue?.length) p.push({ rule: `${prefix}.prefix`, test: (v) => v.subarray(0, prefixValue.length).equals(prefixValue), message: `does not have prefix ${show(prefixValue)}` });
  const suffix = literalBytes(rules['suffix']);
  if (suffix?.length) p.push({ rule: `${prefix}.suffix`, test: (v) => v.length >= suffix.length && v.subarray(v.length - suffix.length).equals(suffix), message: `does not have suffix ${show(suffix)}` });
  const contains = literalBytes(rules['contains']);
  if (contains?.length) p.push({ rule: `${prefix}.contains`, test: (v) => v.includes(contains), message: `does not contain ${show(contains)}` });

  if (ruleBool(rules, 'ip') === true) p.push({ rule: `${prefix}.ip`, test: (v) => v.length === 4 || v.length === 16, message: 'must be a valid IP address in byte form (4 or 16 bytes)' });
  else if (ruleBool(rules, 'ipv4') === true) p.push({ rule: `${prefix}.ipv4`, test: (v) => v.length === 4, message: 'must be a valid IPv4 address in byte form (4 bytes)' });
  else if (ruleBool(rules, 'ipv6') === true) p.push({ rule: `${prefix}.ipv6`, test: (v) => v.length === 16, message: 'must be a valid IPv6 address in byte form (16 bytes)' });

  const check = checkOf(p, ruleBool(rules, 'ignore_empty') === true ? (v) => v.length === 0 : undefined);
  if (!check) return undefined;
  return (value, path, out) => check(Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength), path, out);
}
