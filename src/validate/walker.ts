// Walks a message given in Envoy's canonical JSON along its protobufjs reflection type, reading
// every value as the proto type expects it (unknown fields and wrong JSON types are issues, with a
// path) and applying the compiled protoc-gen-validate rules. Messages packed in a
// google.protobuf.Any are looked up by "@type" and walked too, the path continuing through them,
// because Envoy validates a typed_config when it instantiates the extension.
import protobuf from 'protobufjs';
import { messageNameOf } from '../envoy/type-urls';
import { describeJson, fieldPath, indexPath, keyPath, type RawIssue } from './issue';
import { readDuration, readEnum, readMapKey, readScalar, readTimestamp, type ScalarValue } from './json-values';
import { hasSpecialJson } from '../envoy/json-to-binary';
import { compileMessageValue, type FieldPlan, messagePlan, typeName, type ValuePlan } from './plan';
import { uniquenessKey } from './collection-rules';
import { GenerationalWeakMap } from '../util/generational-weak-map';

export interface TypeRegistry {
  findMessageType(fullName: string): protobuf.Type | undefined;
}

export type JsonRecord = { readonly [key: string]: unknown };

/** Called for every message object the walk reaches, before its fields (for the semantic checks). */
export type MessageVisitor = ((typeName: string, json: JsonRecord, path: string, ancestors: readonly string[]) => void) & {
  /** The message types the visitor acts on, when it says (walks then keep only those visits). */
  readonly types?: ReadonlySet<string>;
};

export interface WalkOptions {
  readonly registry: TypeRegistry;
  readonly visitor?: MessageVisitor;
}

interface Walk {
  readonly registry: TypeRegistry;
  readonly visitor: MessageVisitor | undefined;
  readonly ancestors: string[];
  readonly out: RawIssue[];
}

export function isJsonRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates `json` as a `type` message; issue paths start with `path`. */
export function walkJson(type: protobuf.Type, json: unknown, path: string, options: WalkOptions): RawIssue[] {
  const walk: Walk = { registry: options.registry, visitor: options.visitor, ancestors: [], out: [] };
  walkMessage(walk, type, json, path, true, false);
  return walk.out;
}

const TYPED_STRUCTS = new Set(['xds.type.v3.TypedStruct', 'udpa.type.v1.TypedStruct']);

/**
 * Messages whose answers are kept per frozen object: a route table's virtual hosts. The route
 * builder hands out unchanged hosts as the same frozen objects, so re-validating a table after a
 * one-route change walks the changed host only. What the walk found (issues, and the visitor's
 * calls, which the semantic checks need) is kept with paths relative to the message and replayed.
 */
const MEMOISED_MESSAGES = new Set(['envoy.config.route.v3.VirtualHost']);

interface RecordedVisit {
  readonly typeName: string;
  readonly json: JsonRecord;
  readonly relativePath: string;
  readonly innerAncestors: readonly string[];
}

interface MessageAnswer {
  readonly issues: readonly RawIssue[];
  readonly visits: readonly RecordedVisit[];
}

/** One kept answer per frozen message (a host is walked in one context; another replaces it). */
const answersByRegistry = new WeakMap<TypeRegistry, GenerationalWeakMap<JsonRecord, { readonly context: string; readonly answer: MessageAnswer }>>();

function walkMessage(walk: Walk, type: protobuf.Type, json: unknown, path: string, rulesOn: boolean, anyContent: boolean): void {
  if (path === '' || !isJsonRecord(json) || !Object.isFrozen(json) || !MEMOISED_MESSAGES.has(messagePlan(type).name)) {
    walkFreshMessage(walk, type, json, path, rulesOn, anyContent);
    return;
  }
  let byObject = answersByRegistry.get(walk.registry);
  if (!byObject) answersByRegistry.set(walk.registry, (byObject = new GenerationalWeakMap()));
  const context = `${rulesOn}|${anyContent}|${walk.ancestors.join('/')}`;
  const kept = byObject.get(json);
  let answer = kept?.context === context ? kept.answer : undefined;
  if (!answer) {
    const visits: RecordedVisit[] = [];
    const outer = walk.ancestors.length;
    const wanted = walk.visitor?.types;
    const sub: Walk = {
      registry: walk.registry,
      visitor: (typeName, visited, at, ancestors) => {
        if (wanted && !wanted.has(typeName)) return;
        visits.push({ typeName, json: visited, relativePath: at.slice(path.length), innerAncestors: ancestors.slice(outer) });
      },
      ancestors: [...walk.ancestors],
      out: [],
    };
    walkFreshMessage(sub, type, json, path, rulesOn, anyContent);
    if (sub.out.some((issue) => !issue.path.startsWith(path))) {
      // Not expressible relative to the message: report as found, keep nothing.
      walk.out.push(...sub.out);
      for (const v of visits) walk.visitor?.(v.typeName, v.json, path + v.relativePath, [...walk.ancestors, ...v.innerAncestors]);
      return;
    }
    answer = { issues: sub.out.map((issue) => ({ ...issue, path: issue.path.slice(path.length) })), visits };
    byObject.set(json, { context, answer });
  }
  for (const issue of answer.issues) walk.out.push({ ...issue, path: path + issue.path });
  if (walk.visitor) for (const v of answer.visits) walk.visitor(v.typeName, v.json, path + v.relativePath, [...walk.ancestors, ...v.innerAncestors]);
}

function walkFreshMessage(walk: Walk, type: protobuf.Type, json: unknown, path: string, rulesOn: boolean, anyContent: boolean): void {
  const plan = messagePlan(type);
  if (!isJsonRecord(json)) {
    walk.out.push({ path, rule: 'json.type', message: `expected an object for ${plan.name}, got ${describeJson(json)}` });
    return;
  }
  if (walk.visitor) {
    walk.visitor(plan.name, json, path, walk.ancestors);
    walk.ancestors.push(plan.name);
  }
  const rulesHere = rulesOn && !plan.disabled;
  const seen = new Set<FieldPlan>();
  let oneofs: Map<string, string> | undefined;
  // Keys in sorted order, as the codec reads them: the same JSON gives the same issues whatever
  // its key order, and a conflict (a oneof set twice) is blamed on the member the codec blames.
  for (const key of Object.keys(json).sort()) {
    const fp = plan.byKey.get(key);
    if (!fp) {
      if (!(anyContent && key === '@type')) {
        const message = key === '@type' ? '"@type" is only allowed inside a google.protobuf.Any' : `unknown field "${key}" in ${plan.name}`;
        walk.out.push({ path: fieldPath(path, key), rule: 'json.unknown_field', message });
      }
      continue;
    }
    const value = json[key];
    const at = fieldPath(path, fp.name);
    if (seen.has(fp)) {
      walk.out.push({ path: at, rule: 'json.duplicate_field', message: `field "${fp.name}" is given twice` });
      continue;
    }
    if (value === null && !fp.nullIsValue) continue; // JSON null means "not set"
    seen.add(fp);
    if (fp.oneof) {
      oneofs ??= new Map();
      const other = oneofs.get(fp.oneof);
      if (other !== undefined) {
        walk.out.push({ path: at, rule: 'json.oneof', message: `oneof "${fp.oneof}" is already set by "${other}"` });
        continue;
      }
      oneofs.set(fp.oneof, fp.name);
    }
    walkField(walk, fp, value, at, rulesHere);
  }
  if (rulesHere) {
    for (const fp of plan.absentChecked) {
      if (seen.has(fp)) continue;
      const at = fieldPath(path, fp.name);
      for (const issue of fp.absentIssues) walk.out.push({ path: at, ...issue });
    }
    for (const oneof of plan.requiredOneofs) {
      if (oneofs?.has(oneof.name)) continue;
      walk.out.push({ path: fieldPath(path, oneof.name), rule: 'oneof.required', message: `one of ${oneof.members.join(', ')} is required` });
    }
  }
  if (TYPED_STRUCTS.has(plan.name)) walkTypedStruct(walk, json, path);
  if (walk.visitor) walk.ancestors.pop();
}

/** A TypedStruct carries a message as a Struct; Envoy converts it to type_url's type and validates that. */
function walkTypedStruct(walk: Walk, json: JsonRecord, path: string): void {
  const url = json['type_url'];
  const value = json['value'];
  if (typeof url !== 'string' || !isJsonRecord(value)) return;
  const inner = typeForUrl(walk.registry, url);
  if (inner && !hasSpecialJson(inner)) walkMessage(walk, inner, value, fieldPath(path, 'value'), true, false);
}

function walkField(walk: Walk, fp: FieldPlan, value: unknown, path: string, rulesOn: boolean): void {
  if (fp.shape === 'map') {
    if (!isJsonRecord(value)) {
      walk.out.push({ path, rule: 'json.type', message: `expected an object (map), got ${describeJson(value)}` });
      return;
    }
    const keys = Object.keys(value);
    if (rulesOn && fp.countCheck) fp.countCheck(keys.length, path, walk.out);
    for (const key of keys) {
      const at = keyPath(path, key);
      const k = readMapKey(fp.keyType ?? 'string', key, at, walk.out);
      if (k !== undefined && rulesOn && fp.keyCheck) fp.keyCheck(k, at, walk.out);
      const v = value[key];
      if (v === null && !fp.nullIsValue) {
        if (rulesOn && fp.noSparseRule) walk.out.push({ path: at, rule: fp.noSparseRule, message: 'value cannot be sparse, all pairs must be non-null' });
        else walk.out.push({ path: at, rule: 'json.type', message: 'null is not allowed as a map value' });
        continue;
      }
      walkValue(walk, fp.value, v, at, rulesOn);
    }
    return;
  }
  if (fp.shape === 'repeated') {
    if (!Array.isArray(value)) {
      walk.out.push({ path, rule: 'json.type', message: `expected a list, got ${describeJson(value)}` });
      return;
    }
    if (rulesOn && fp.countCheck) fp.countCheck(value.length, path, walk.out);
    const unique = rulesOn && fp.uniqueRule !== undefined ? new Map<string, number>() : undefined;
    for (let i = 0; i < value.length; i++) {
      const at = indexPath(path, i);
      const item: unknown = value[i];
      if (item === null && !fp.nullIsValue) {
        walk.out.push({ path: at, rule: 'json.type', message: 'null is not allowed as a list item' });
        continue;
      }
      const scalar = walkValue(walk, fp.value, item, at, rulesOn);
      if (unique && scalar !== undefined) {
        const key = uniquenessKey(scalar);
        const first = unique.get(key);
        if (first !== undefined) walk.out.push({ path: at, rule: fp.uniqueRule!, message: `must contain unique items: repeats item [${first}]` });
        else unique.set(key, i);
      }
    }
    return;
  }
  walkValue(walk, fp.value, value, path, rulesOn);
}

/** Reads and checks one value; returns it when it is a scalar or enum (for `unique`). */
function walkValue(walk: Walk, vp: ValuePlan, json: unknown, path: string, rulesOn: boolean): ScalarValue | undefined {
  switch (vp.kind) {
    case 'scalar':
    case 'wrapper': {
      const v = readScalar(vp.scalar, json, path, walk.out);
      if (v !== undefined && rulesOn && vp.check) vp.check(v, path, walk.out);
      return v;
    }
    case 'enum': {
      const v = readEnum(vp.type, json, path, walk.out);
      if (v !== undefined && rulesOn && vp.check) vp.check(v, path, walk.out);
      return v;
    }
    case 'duration': {
      const v = readDuration(json, path, walk.out);
      if (v !== undefined && rulesOn && vp.check) vp.check(v, path, walk.out);
      return undefined;
    }
    case 'timestamp': {
      const v = readTimestamp(json, path, walk.out);
      if (v !== undefined && rulesOn && vp.check) vp.check(v, path, walk.out);
      return undefined;
    }
    case 'any':
      walkAny(walk, vp.check, json, path, rulesOn);
      return undefined;
    case 'struct':
      if (!isJsonRecord(json)) walk.out.push({ path, rule: 'json.type', message: `expected an object (Struct), got ${describeJson(json)}` });
      return undefined;
    case 'list_value':
      if (!Array.isArray(json)) walk.out.push({ path, rule: 'json.type', message: `expected a list (ListValue), got ${describeJson(json)}` });
      return undefined;
    case 'field_mask':
      if (typeof json !== 'string') walk.out.push({ path, rule: 'json.type', message: `expected a field mask string such as "a.b,c", got ${describeJson(json)}` });
      return undefined;
    case 'value':
      return undefined; // any JSON value is a google.protobuf.Value
    case 'message':
      walkMessage(walk, vp.type, json, path, rulesOn && !vp.skip, false);
      return undefined;
  }
}

const specialValuePlans = new WeakMap<protobuf.Type, ValuePlan>();

/**
 * Type URL → message type, remembered per registry (a thousand routes repeat the same few URLs).
 * Only hits are kept, so made-up URLs in bad input cannot grow the cache.
 */
const urlCache = new WeakMap<TypeRegistry, Map<string, protobuf.Type>>();
function typeForUrl(registry: TypeRegistry, url: string): protobuf.Type | undefined {
  let cache = urlCache.get(registry);
  if (!cache) urlCache.set(registry, (cache = new Map()));
  let type = cache.get(url);
  if (!type) {
    type = registry.findMessageType(messageNameOf(url));
    if (type) cache.set(url, type);
  }
  return type;
}

function walkAny(walk: Walk, check: ((url: string, path: string, out: RawIssue[]) => void) | undefined, json: unknown, path: string, rulesOn: boolean): void {
  if (!isJsonRecord(json)) {
    walk.out.push({ path, rule: 'json.type', message: `expected an object with "@type" (google.protobuf.Any), got ${describeJson(json)}` });
    return;
  }
  const url = json['@type'];
  const urlPath = fieldPath(path, '@type');
  if (typeof url !== 'string' || url === '') {
    walk.out.push({ path: urlPath, rule: 'json.any_type', message: 'a google.protobuf.Any needs "@type"' });
    return;
  }
  if (rulesOn && check) check(url, path, walk.out);
  const inner = typeForUrl(walk.registry, url);
  if (!inner) {
    walk.out.push({ path: urlPath, rule: 'json.any_type', message: `unknown type "${url}"` });
    return;
  }
  if (!hasSpecialJson(inner)) {
    // Envoy validates a packed config when it unpacks it, whatever encloses the Any.
    walkMessage(walk, inner, json, path, true, true);
    return;
  }
  for (const key of Object.keys(json)) {
    if (key !== '@type' && key !== 'value') walk.out.push({ path: fieldPath(path, key), rule: 'json.unknown_field', message: `an Any of ${typeName(inner)} has only "@type" and "value"` });
  }
  if (!('value' in json)) {
    walk.out.push({ path: fieldPath(path, 'value'), rule: 'json.type', message: `an Any of ${typeName(inner)} carries its value in "value"` });
    return;
  }
  let plan = specialValuePlans.get(inner);
  if (!plan) {
    plan = compileMessageValue(inner, undefined, '');
    specialValuePlans.set(inner, plan);
  }
  walkValue(walk, plan, json['value'], fieldPath(path, 'value'), true);
}
