// Reading protoc-gen-validate annotations from the loaded protos. protobufjs keeps them as parsed
// text-format values: `[(validate.rules).string = {min_len: 1}]` becomes
// `field.parsedOptions = [{"(validate.rules)": {"string": {"min_len": 1}}}]`. A repeated rule such
// as `in` arrives as a list when written several times and as a bare value when written once, so
// readers here always normalise.
import protobuf from 'protobufjs';

/** A (sub)message of validate.FieldRules as parsed from the proto text. */
export type RuleObject = { readonly [key: string]: unknown };

export function isRuleObject(value: unknown): value is RuleObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge, for a field that carries several `(validate.rules)` options. */
function mergeRules(a: RuleObject, b: RuleObject): RuleObject {
  const out: { [key: string]: unknown } = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const prev = out[key];
    if (isRuleObject(prev) && isRuleObject(value)) out[key] = mergeRules(prev, value);
    else if (prev !== undefined && (key === 'in' || key === 'not_in')) out[key] = [...ruleList(a, key), ...ruleList(b, key)];
    else out[key] = value;
  }
  return out;
}

const FIELD_RULES = '(validate.rules)';

/** The field's validate.FieldRules, or undefined when it has none. */
export function fieldRulesOf(field: protobuf.Field): RuleObject | undefined {
  const parsed: unknown = field.parsedOptions;
  if (!Array.isArray(parsed)) return undefined;
  let merged: RuleObject | undefined;
  for (const option of parsed as unknown[]) {
    if (!isRuleObject(option)) continue;
    const rules = option[FIELD_RULES];
    if (isRuleObject(rules)) merged = merged ? mergeRules(merged, rules) : rules;
  }
  return merged;
}

function optionFlag(options: Record<string, unknown> | undefined, parsed: unknown, name: string): boolean {
  if (options?.[name] === true) return true;
  if (!Array.isArray(parsed)) return false;
  return parsed.some((entry) => isRuleObject(entry) && entry[name] === true);
}

/** `option (validate.required) = true` on a oneof. */
export function oneofRequired(oneof: protobuf.OneOf): boolean {
  return optionFlag(oneof.options, oneof.parsedOptions, '(validate.required)');
}

/** `option (validate.disabled) = true` or `(validate.ignored)` on a message: PGV generates no checks for it. */
export function messageRulesDisabled(type: protobuf.Type): boolean {
  return (
    optionFlag(type.options, type.parsedOptions, '(validate.disabled)') ||
    optionFlag(type.options, type.parsedOptions, '(validate.ignored)')
  );
}

export function ruleObject(rules: RuleObject, key: string): RuleObject | undefined {
  const value = rules[key];
  return isRuleObject(value) ? value : undefined;
}

export function ruleBool(rules: RuleObject, key: string): boolean | undefined {
  const value = rules[key];
  return typeof value === 'boolean' ? value : undefined;
}

export function ruleString(rules: RuleObject, key: string): string | undefined {
  const value = rules[key];
  return typeof value === 'string' ? value : undefined;
}

/** A count such as min_len (uint64 in validate.proto; protobufjs gives a number, or a string when huge). */
export function ruleCount(rules: RuleObject, key: string): number | undefined {
  const value = rules[key];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

/** A repeated rule (`in`, `not_in`) as a list, whether it was written once or several times. */
export function ruleList(rules: RuleObject, key: string): readonly unknown[] {
  const value = rules[key];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Which member of the FieldRules `type` oneof is set ("string", "repeated", "duration", ...). */
export const FIELD_RULE_TYPES = [
  'float', 'double', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64',
  'sfixed32', 'sfixed64', 'bool', 'string', 'bytes', 'enum', 'repeated', 'map', 'any', 'duration', 'timestamp',
] as const;
export type FieldRuleType = (typeof FIELD_RULE_TYPES)[number];

export function ruleTypeOf(rules: RuleObject): FieldRuleType | undefined {
  for (const type of FIELD_RULE_TYPES) if (isRuleObject(rules[type])) return type;
  return undefined;
}
