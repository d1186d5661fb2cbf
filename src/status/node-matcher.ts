// envoy.type.matcher.v3.NodeMatcher, as CSDS requests carry it (decoded with proto field names):
// node_id is a StringMatcher, node_metadatas are StructMatchers over the node's metadata, all of
// which must match. A request's matchers are ORed. A matcher we cannot evaluate (a `custom`
// string matcher) matches nothing rather than everything.
import type { JsonValue } from '../envoy/resource';
import type { NodeInfo } from '../server/observer';

type Obj = Readonly<Record<string, unknown>>;

export class NodeMatcherError extends Error {}

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function has(obj: Obj, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key) && obj[key] !== undefined && obj[key] !== null;
}

/** True when the node matches at least one matcher, or when there are no matchers. */
export function matchesAnyNode(matchers: readonly unknown[], node: NodeInfo): boolean {
  if (matchers.length === 0) return true;
  return matchers.some((m) => matchesNode(m, node));
}

export function matchesNode(matcher: unknown, node: NodeInfo): boolean {
  if (!isObj(matcher)) return false;
  if (has(matcher, 'node_id') && !matchesString(matcher['node_id'], node.id)) return false;
  const metadatas = matcher['node_metadatas'];
  if (Array.isArray(metadatas)) {
    for (const structMatcher of metadatas) if (!matchesStruct(structMatcher, node.metadata)) return false;
  }
  return true;
}

export function matchesString(matcher: unknown, value: string): boolean {
  if (!isObj(matcher)) return false;
  const ignoreCase = matcher['ignore_case'] === true;
  const fold = (s: string): string => (ignoreCase ? s.toLowerCase() : s);
  const str = (key: string): string | undefined => (typeof matcher[key] === 'string' ? fold(matcher[key] as string) : undefined);
  const subject = fold(value);
  const exact = str('exact');
  if (exact !== undefined) return subject === exact;
  const prefix = str('prefix');
  if (prefix !== undefined) return subject.startsWith(prefix);
  const suffix = str('suffix');
  if (suffix !== undefined) return subject.endsWith(suffix);
  const contains = str('contains');
  if (contains !== undefined) return subject.includes(contains);
  const safeRegex = matcher['safe_regex'];
  if (isObj(safeRegex) && typeof safeRegex['regex'] === 'string') {
    // RE2 semantics: the whole value must match. ignore_case does not apply to regexes.
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${safeRegex['regex']})$`, 'u');
    } catch (err) {
      throw new NodeMatcherError(`invalid safe_regex "${safeRegex['regex']}": ${(err as Error).message}`);
    }
    return re.test(value);
  }
  return false;
}

function matchesStruct(matcher: unknown, metadata: JsonValue): boolean {
  if (!isObj(matcher) || !Array.isArray(matcher['path']) || matcher['path'].length === 0) return false;
  let current: JsonValue | undefined = metadata;
  for (const segment of matcher['path']) {
    const key = isObj(segment) ? segment['key'] : undefined;
    if (typeof key !== 'string' || typeof current !== 'object' || current === null || Array.isArray(current)) {
      current = undefined;
      break;
    }
    current = current[key];
  }
  return matchesValue(matcher['value'], current);
}

function matchesValue(matcher: unknown, value: JsonValue | undefined): boolean {
  if (!isObj(matcher)) return false;
  if (has(matcher, 'null_match')) return value === null;
  if (isObj(matcher['double_match'])) return typeof value === 'number' && matchesDouble(matcher['double_match'], value);
  if (isObj(matcher['string_match'])) return typeof value === 'string' && matchesString(matcher['string_match'], value);
  if (typeof matcher['bool_match'] === 'boolean') return value === matcher['bool_match'];
  if (typeof matcher['present_match'] === 'boolean') return (value !== undefined) === matcher['present_match'];
  const list = matcher['list_match'];
  if (isObj(list)) return Array.isArray(value) && value.some((item) => matchesValue(list['one_of'], item));
  const or = matcher['or_match'];
  if (isObj(or) && Array.isArray(or['value_matchers'])) return or['value_matchers'].some((m) => matchesValue(m, value));
  return false;
}

function matchesDouble(matcher: Obj, value: number): boolean {
  if (typeof matcher['exact'] === 'number') return value === matcher['exact'];
  const range = matcher['range'];
  if (isObj(range)) {
    const start = typeof range['start'] === 'number' ? range['start'] : 0;
    const end = typeof range['end'] === 'number' ? range['end'] : 0;
    return value >= start && value < end; // DoubleRange is [start, end)
  }
  return false;
}
