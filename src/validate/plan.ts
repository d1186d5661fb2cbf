// Per message type, the validation plan: which JSON keys name which fields, each field's compiled
// rule checks, and what to report when a field is left out. Plans are built on first use and
// cached per protobufjs Type, so validating a thousand routes compiles RouteAction's rules once.
import protobuf from 'protobufjs';
import type { ValueCheck } from './check';
import type { RawIssue } from './issue';
import { compileBytesRules } from './bytes-rules';
import { compileMapCount, compileRepeatedCount } from './collection-rules';
import { defaultScalar, type ScalarValue } from './json-values';
import { compileBoolRules, compileEnumRules, compileInt64Rules, compileNumberRules, INT64_KINDS, isNumericKind } from './numeric-rules';
import { fieldRulesOf, messageRulesDisabled, oneofRequired, type RuleObject, ruleBool, ruleList, ruleObject } from './rule-options';
import { compileStringRules } from './string-rules';
import { compileDurationRules, compileTimestampRules } from './time-rules';

/** How one value (a single field, a list item or a map value) is read and checked. */
export type ValuePlan =
  | { readonly kind: 'scalar'; readonly scalar: string; readonly check?: ValueCheck<ScalarValue> }
  | { readonly kind: 'enum'; readonly type: protobuf.Enum; readonly check?: ValueCheck<number> }
  | { readonly kind: 'wrapper'; readonly scalar: string; readonly check?: ValueCheck<ScalarValue> }
  | { readonly kind: 'duration'; readonly check?: ValueCheck<bigint> }
  | { readonly kind: 'timestamp'; readonly check?: ValueCheck<bigint> }
  | { readonly kind: 'any'; readonly check?: ValueCheck<string> }
  | { readonly kind: 'struct' | 'value' | 'list_value' | 'field_mask' }
  | { readonly kind: 'message'; readonly type: protobuf.Type; readonly skip: boolean };

export interface FieldPlan {
  /** The proto field name, used in paths whatever spelling the JSON used. */
  readonly name: string;
  readonly shape: 'single' | 'repeated' | 'map';
  /** The single value, each list item, or each map value. */
  readonly value: ValuePlan;
  readonly keyType?: string;
  readonly keyCheck?: ValueCheck<ScalarValue>;
  /** min/max items or pairs. */
  readonly countCheck?: ValueCheck<number>;
  /** The rule name when items must be unique ("repeated.unique"). */
  readonly uniqueRule?: string;
  /** The rule name when map values may not be null ("map.no_sparse"). */
  readonly noSparseRule?: string;
  /** The real (non-synthetic) oneof this field belongs to. */
  readonly oneof?: string;
  /** What is wrong when the field is left out of the JSON (proto3: unset = default value). */
  readonly absentIssues: readonly Omit<RawIssue, 'path'>[];
  /** google.protobuf.Value fields: JSON null is a value (NullValue), not "unset". */
  readonly nullIsValue: boolean;
}

export interface MessagePlan {
  /** Full name without the leading dot, e.g. "envoy.config.cluster.v3.Cluster". */
  readonly name: string;
  readonly type: protobuf.Type;
  /** (validate.disabled) / (validate.ignored): the JSON is still read, rules are not checked. */
  readonly disabled: boolean;
  readonly byKey: ReadonlyMap<string, FieldPlan>;
  readonly absentChecked: readonly FieldPlan[];
  readonly requiredOneofs: readonly { readonly name: string; readonly members: readonly string[] }[];
}

const WRAPPERS: Record<string, string> = {
  'google.protobuf.DoubleValue': 'double',
  'google.protobuf.FloatValue': 'float',
  'google.protobuf.Int64Value': 'int64',
  'google.protobuf.UInt64Value': 'uint64',
  'google.protobuf.Int32Value': 'int32',
  'google.protobuf.UInt32Value': 'uint32',
  'google.protobuf.BoolValue': 'bool',
  'google.protobuf.StringValue': 'string',
  'google.protobuf.BytesValue': 'bytes',
};

const SHAPE_ONLY: Record<string, 'struct' | 'value' | 'list_value' | 'field_mask'> = {
  'google.protobuf.Struct': 'struct',
  'google.protobuf.Value': 'value',
  'google.protobuf.ListValue': 'list_value',
  'google.protobuf.FieldMask': 'field_mask',
};

export function typeName(type: protobuf.Type | protobuf.Enum): string {
  return type.fullName.startsWith('.') ? type.fullName.slice(1) : type.fullName;
}

/** Narrows a typed check to the ScalarValue the JSON reader hands over for that kind. */
function scalarCheck(kind: string, rules: RuleObject | undefined, prefix: string): ValueCheck<ScalarValue> | undefined {
  if (!rules) return undefined;
  const own = ruleObject(rules, kind);
  if (!own) return undefined;
  const name = prefix + kind;
  if (kind === 'string') {
    const c = compileStringRules(own, name);
    return c && ((v, p, o) => typeof v === 'string' && c(v, p, o));
  }
  if (kind === 'bytes') {
    const c = compileBytesRules(own, name);
    return c && ((v, p, o) => v instanceof Uint8Array && c(v, p, o));
  }
  if (kind === 'bool') {
    const c = compileBoolRules(own, name);
    return c && ((v, p, o) => typeof v === 'boolean' && c(v, p, o));
  }
  if (INT64_KINDS.has(kind)) {
    const c = compileInt64Rules(own, name);
    return c && ((v, p, o) => typeof v === 'bigint' && c(v, p, o));
  }
  if (isNumericKind(kind)) {
    const c = compileNumberRules(kind, own, name);
    return c && ((v, p, o) => typeof v === 'number' && c(v, p, o));
  }
  return undefined;
}

/** The plan for one value of the field's element type under `rules` (a FieldRules, or the items/values of one). */
function compileValue(field: protobuf.Field, rules: RuleObject | undefined, prefix: string): ValuePlan {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    const own = rules && ruleObject(rules, 'enum');
    const check = own && compileEnumRules(resolved, own, `${prefix}enum`);
    return check ? { kind: 'enum', type: resolved, check } : { kind: 'enum', type: resolved };
  }
  if (resolved instanceof protobuf.Type) return compileMessageValue(resolved, rules, prefix);
  const check = scalarCheck(field.type, rules, prefix);
  return check ? { kind: 'scalar', scalar: field.type, check } : { kind: 'scalar', scalar: field.type };
}

export function compileMessageValue(type: protobuf.Type, rules: RuleObject | undefined, prefix: string): ValuePlan {
  const name = typeName(type);
  const wrapped = WRAPPERS[name];
  if (wrapped) {
    const check = scalarCheck(wrapped, rules, prefix);
    return check ? { kind: 'wrapper', scalar: wrapped, check } : { kind: 'wrapper', scalar: wrapped };
  }
  const shape = SHAPE_ONLY[name];
  if (shape) return { kind: shape };
  if (name === 'google.protobuf.Duration') {
    const own = rules && ruleObject(rules, 'duration');
    const check = own && compileDurationRules(own, `${prefix}duration`);
    return check ? { kind: 'duration', check } : { kind: 'duration' };
  }
  if (name === 'google.protobuf.Timestamp') {
    const own = rules && ruleObject(rules, 'timestamp');
    const check = own && compileTimestampRules(own, `${prefix}timestamp`);
    return check ? { kind: 'timestamp', check } : { kind: 'timestamp' };
  }
  if (name === 'google.protobuf.Any') {
    const own = rules && ruleObject(rules, 'any');
    const check = own && compileAnyTypeRules(own, `${prefix}any`);
    return check ? { kind: 'any', check } : { kind: 'any' };
  }
  const messageRules = rules && ruleObject(rules, 'message');
  return { kind: 'message', type, skip: messageRules !== undefined && ruleBool(messageRules, 'skip') === true };
}

/** validate.AnyRules in / not_in, checked against the Any's type URL. */
function compileAnyTypeRules(rules: RuleObject, prefix: string): ValueCheck<string> | undefined {
  const inList = ruleList(rules, 'in').filter((x): x is string => typeof x === 'string');
  const notIn = ruleList(rules, 'not_in').filter((x): x is string => typeof x === 'string');
  if (inList.length === 0 && notIn.length === 0) return undefined;
  return (url, path, out) => {
    if (inList.length > 0 && !inList.includes(url)) out.push({ path, rule: `${prefix}.in`, message: `type URL must be in list [${inList.join(', ')}]` });
    else if (notIn.includes(url)) out.push({ path, rule: `${prefix}.not_in`, message: `type URL must not be in list [${notIn.join(', ')}]` });
  };
}

/** Issues a left-out message field raises: message.required, or the required flag of duration/timestamp/any rules. */
function requiredIssues(value: ValuePlan, rules: RuleObject | undefined): Omit<RawIssue, 'path'>[] {
  if (!rules) return [];
  const out: Omit<RawIssue, 'path'>[] = [];
  const message = ruleObject(rules, 'message');
  if (message && ruleBool(message, 'required') === true) out.push({ rule: 'message.required', message: 'is required' });
  for (const kind of ['duration', 'timestamp', 'any'] as const) {
    const own = ruleObject(rules, kind);
    if (value.kind === kind && own && ruleBool(own, 'required') === true) out.push({ rule: `${kind}.required`, message: 'is required' });
  }
  return out.slice(0, 1);
}

/** Runs a check on a stand-in value at compile time and keeps what it reports. */
function issuesFor<T>(check: ValueCheck<T> | undefined, value: T): Omit<RawIssue, 'path'>[] {
  if (!check) return [];
  const out: RawIssue[] = [];
  check(value, '', out);
  return out.map(({ rule, message }) => ({ rule, message }));
}

function defaultEnumValue(type: protobuf.Enum): number {
  if (type.valuesById[0] !== undefined) return 0;
  const first = Object.values(type.values)[0];
  return first ?? 0;
}

function compileField(field: protobuf.Field): FieldPlan {
  field.resolve();
  const rules = fieldRulesOf(field);
  const realOneof = field.partOf && !field.partOf.isProto3Optional ? field.partOf.name : undefined;
  const nullIsValue = field.resolvedType instanceof protobuf.Type && typeName(field.resolvedType) === 'google.protobuf.Value';
  const base = { name: field.name, nullIsValue, ...(realOneof ? { oneof: realOneof } : {}) };

  if (field.map) {
    const mapRules = rules && ruleObject(rules, 'map');
    const keyType = field instanceof protobuf.MapField ? field.keyType : 'string';
    const keyCheck = scalarCheck(keyType, mapRules && ruleObject(mapRules, 'keys'), 'map.keys.');
    const countCheck = mapRules && compileMapCount(mapRules, 'map');
    const noSparse = mapRules !== undefined && ruleBool(mapRules, 'no_sparse') === true;
    return {
      ...base,
      shape: 'map',
      value: compileValue(field, mapRules && ruleObject(mapRules, 'values'), 'map.values.'),
      keyType,
      ...(keyCheck ? { keyCheck } : {}),
      ...(countCheck ? { countCheck } : {}),
      ...(noSparse ? { noSparseRule: 'map.no_sparse' } : {}),
      absentIssues: issuesFor(countCheck, 0),
    };
  }
  if (field.repeated) {
    const repeatedRules = rules && ruleObject(rules, 'repeated');
    const countCheck = repeatedRules && compileRepeatedCount(repeatedRules, 'repeated');
    const unique = repeatedRules !== undefined && ruleBool(repeatedRules, 'unique') === true;
    return {
      ...base,
      shape: 'repeated',
      value: compileValue(field, repeatedRules && ruleObject(repeatedRules, 'items'), 'repeated.items.'),
      ...(countCheck ? { countCheck } : {}),
      ...(unique ? { uniqueRule: 'repeated.unique' } : {}),
      absentIssues: issuesFor(countCheck, 0),
    };
  }
  const value = compileValue(field, rules, '');
  let absentIssues: Omit<RawIssue, 'path'>[] = [];
  if (!field.partOf) {
    // Message fields are checked for "required"; scalars without presence hold their default value.
    if (field.resolvedType instanceof protobuf.Type) absentIssues = requiredIssues(value, rules);
    else if (!field.hasPresence && value.kind === 'enum') absentIssues = issuesFor(value.check, defaultEnumValue(value.type));
    else if (!field.hasPresence && value.kind === 'scalar') absentIssues = issuesFor(value.check, defaultScalar(value.scalar));
  }
  return { ...base, shape: 'single', value, absentIssues };
}

function lowerCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

const plans = new WeakMap<protobuf.Type, MessagePlan>();

export function messagePlan(type: protobuf.Type): MessagePlan {
  let plan = plans.get(type);
  if (plan) return plan;
  const byKey = new Map<string, FieldPlan>();
  const absentChecked: FieldPlan[] = [];
  for (const field of type.fieldsArray) {
    const fp = compileField(field);
    byKey.set(field.name, fp);
    const camel = lowerCamel(field.name);
    if (!byKey.has(camel)) byKey.set(camel, fp);
    const jsonName: unknown = field.options?.['json_name'];
    if (typeof jsonName === 'string' && !byKey.has(jsonName)) byKey.set(jsonName, fp);
    if (fp.absentIssues.length > 0) absentChecked.push(fp);
  }
  const requiredOneofs = type.oneofsArray
    .filter((o) => !o.isProto3Optional && oneofRequired(o))
    .map((o) => ({ name: o.name, members: o.fieldsArray.map((f) => f.name) }));
  plan = { name: typeName(type), type, disabled: messageRulesDisabled(type), byKey, absentChecked, requiredOneofs };
  plans.set(type, plan);
  return plan;
}
