// Field types shared by the Gateway API kinds, with the validation the upstream CRDs apply
// (patterns and CEL rules from gateway-api apis/v1 shared_types.go and httproute_types.go).
import type { JsonObject, JsonValue } from '../../../src/envoy/resource';
import { durationSchema } from '../../core/durations';
import { getNumber, getObjects, getString, getStrings, has } from '../../core/json';
import { labelSelectorSchema } from '../../core/label-selector';
import { arr, int, isJsonObject, obj, str, type ObjectSchema, type SchemaIssue, type StringSchema } from '../../schema';

const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
export const HOSTNAME_PATTERN = new RegExp(`^(\\*\\.)?${DNS_LABEL}(\\.${DNS_LABEL})*$`);
export const PRECISE_HOSTNAME_PATTERN = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);
export const SECTION_NAME_PATTERN = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);
const NAMESPACE_PATTERN = new RegExp(`^${DNS_LABEL}$`);
const GROUP_PATTERN = new RegExp(`^$|^${DNS_LABEL}(\\.${DNS_LABEL})*$`);
const KIND_PATTERN = /^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
export const HEADER_NAME_PATTERN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

export const hostname: StringSchema = str({ minLength: 1, maxLength: 253, pattern: HOSTNAME_PATTERN, patternHint: 'a lower-case DNS name, optionally starting with "*." (no IP addresses)' });
export const preciseHostname: StringSchema = str({ minLength: 1, maxLength: 253, pattern: PRECISE_HOSTNAME_PATTERN, patternHint: 'a lower-case DNS name' });
export const sectionName: StringSchema = str({ minLength: 1, maxLength: 253, pattern: SECTION_NAME_PATTERN, patternHint: 'a lower-case DNS subdomain name' });
export const objectName: StringSchema = str({ minLength: 1, maxLength: 253 });
export const namespaceName: StringSchema = str({ minLength: 1, maxLength: 63, pattern: NAMESPACE_PATTERN, patternHint: 'a lower-case DNS label' });
export const group: StringSchema = str({ maxLength: 253, pattern: GROUP_PATTERN, patternHint: 'an API group ("" for the core group)' });
export const kind: StringSchema = str({ minLength: 1, maxLength: 63, pattern: KIND_PATTERN, patternHint: 'a Kubernetes kind' });
export const port = int(1, 65535);
export const duration = durationSchema();
export const headerName: StringSchema = str({ minLength: 1, maxLength: 256, pattern: HEADER_NAME_PATTERN, patternHint: 'an HTTP header name' });
export const labelSelector = labelSelectorSchema;

export const parentRef: ObjectSchema = obj(
  { group, kind, namespace: namespaceName, name: objectName, sectionName, port },
  { required: ['name'] },
);

/** BackendObjectReference: a Service needs a port (CEL "Must have port for Service reference"). */
export const backendObjectReference: ObjectSchema = obj(
  { group, kind, name: objectName, namespace: namespaceName, port },
  {
    required: ['name'],
    check: (ref) => {
      const g = getString(ref, 'group') ?? '';
      const k = getString(ref, 'kind') ?? 'Service';
      if (g === '' && k === 'Service' && !has(ref, 'port')) return [{ path: 'port', reason: 'required for a reference to a Service' }];
      return [];
    },
  },
);

const httpHeader = obj({ name: headerName, value: str({ minLength: 1, maxLength: 4096 }) }, { required: ['name', 'value'] });
const lowerName = (v: JsonValue): string | undefined => (isJsonObject(v) ? getString(v, 'name')?.toLowerCase() : undefined);

/** HTTPHeaderFilter: one action per header name across set, add and remove. */
export const headerFilter: ObjectSchema = obj(
  {
    set: arr(httpHeader, { maxItems: 16, uniqueBy: lowerName, uniqueWhat: 'header' }),
    add: arr(httpHeader, { maxItems: 16, uniqueBy: lowerName, uniqueWhat: 'header' }),
    remove: arr(headerName, { maxItems: 16, uniqueBy: (v) => (typeof v === 'string' ? v.toLowerCase() : undefined), uniqueWhat: 'header' }),
  },
  {
    check: (f) => {
      const seen = new Map<string, string>();
      const issues: SchemaIssue[] = [];
      const note = (name: string, where: string): void => {
        const key = name.toLowerCase();
        const first = seen.get(key);
        if (first && first !== where.split('[')[0]) issues.push({ path: where, reason: `header "${name}" is already changed by ${first}; only one action per header is allowed` });
        else if (!first) seen.set(key, where.split('[')[0]!);
      };
      getObjects(f, 'set').forEach((h, i) => note(getString(h, 'name') ?? '', `set[${i}]`));
      getObjects(f, 'add').forEach((h, i) => note(getString(h, 'name') ?? '', `add[${i}]`));
      getStrings(f, 'remove').forEach((h, i) => note(h, `remove[${i}]`));
      return issues;
    },
  },
);

const fraction = obj(
  { numerator: int(0), denominator: int(1) },
  {
    required: ['numerator'],
    check: (f) => ((getNumber(f, 'numerator') ?? 0) > (getNumber(f, 'denominator') ?? 100) ? [{ path: 'numerator', reason: 'must be less than or equal to denominator' }] : []),
  },
);

export const requestMirror: ObjectSchema = obj(
  { backendRef: backendObjectReference, percent: int(0, 100), fraction },
  { required: ['backendRef'], atMostOneOf: ['percent', 'fraction'] },
);

export const extensionRef: ObjectSchema = obj({ group, kind, name: objectName }, { required: ['group', 'kind', 'name'] });

/**
 * ParentRefs must be distinct: references to the same parent must all set sectionName (and
 * port) or none, and must differ in them (CEL on CommonRouteSpec.parentRefs).
 */
export function checkParentRefsDistinct(spec: JsonObject): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const refs = getObjects(spec, 'parentRefs');
  const seen = new Map<string, { shape: string; keys: Set<string> }>();
  refs.forEach((ref, i) => {
    const parent = [getString(ref, 'group') ?? 'gateway.networking.k8s.io', getString(ref, 'kind') ?? 'Gateway', getString(ref, 'namespace') ?? '', getString(ref, 'name')].join('/');
    const shape = `${has(ref, 'sectionName')}/${has(ref, 'port')}`;
    const key = `${getString(ref, 'sectionName') ?? ''}/${getNumber(ref, 'port') ?? ''}`;
    const entry = seen.get(parent);
    if (!entry) {
      seen.set(parent, { shape, keys: new Set([key]) });
      return;
    }
    if (entry.shape !== shape) issues.push({ path: `parentRefs[${i}]`, reason: 'sectionName or port must be set on every reference to the same parent, or on none' });
    else if (entry.keys.has(key)) issues.push({ path: `parentRefs[${i}]`, reason: 'duplicate reference to the same parent (sectionName and port must differ)' });
    else entry.keys.add(key);
  });
  return issues;
}

/** Rule names are unique within a route (CEL on spec.rules). */
export function checkRuleNamesUnique(spec: JsonObject): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  getObjects(spec, 'rules').forEach((rule, i) => {
    const name = getString(rule, 'name');
    if (name === undefined) return;
    if (seen.has(name)) issues.push({ path: `rules[${i}].name`, reason: `rule name "${name}" is used twice; rule names must be unique within a route` });
    seen.add(name);
  });
  return issues;
}

/** Filters of a type that may appear once per list appear once; the filter's field matches its type. */
export function checkFilterList(filters: readonly JsonValue[], once: readonly string[], fieldOfType: Readonly<Record<string, string>>): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const count = new Map<string, number>();
  filters.forEach((f, i) => {
    if (!isJsonObject(f)) return;
    const type = getString(f, 'type') ?? '';
    count.set(type, (count.get(type) ?? 0) + 1);
    if (once.includes(type) && count.get(type) === 2) issues.push({ path: `[${i}]`, reason: `${type} filter cannot be repeated` });
    const own = fieldOfType[type];
    if (own !== undefined && !has(f, own)) issues.push({ path: `[${i}].${own}`, reason: `required for a ${type} filter` });
    for (const [t, field] of Object.entries(fieldOfType)) {
      if (t !== type && has(f, field)) issues.push({ path: `[${i}].${field}`, reason: `must not be set on a ${type} filter (it belongs to type ${t})` });
    }
  });
  return issues;
}

