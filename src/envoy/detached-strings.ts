// protobufjs parses a .proto file's text into reflection objects whose names, type names and
// option values are V8 slices of that text, and a slice keeps the whole file's text alive: ~2 MiB
// of source for the packages a control plane loads, held for the life of the process. Replacing
// each string by a copy of its own lets the texts be collected. The copies are equal strings, so
// nothing protobufjs or the validator reads changes.
import protobuf from 'protobufjs';

/** V8 makes slices only of strings this long or longer; shorter ones are copied already. */
const SLICED_MIN_LENGTH = 13;

export function detached(text: string): string {
  return text.length < SLICED_MIN_LENGTH ? text : Buffer.from(text, 'utf8').toString('utf8');
}

/** The same plain data (option values, parsed options) with every string detached. */
function detachedData(value: unknown): unknown {
  if (typeof value === 'string') return detached(value);
  if (Array.isArray(value)) return value.map(detachedData);
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key] = detachedData(v);
    return out;
  }
  return value;
}

/** Own string properties of one reflection object, and its options. */
function detachOwn(object: protobuf.ReflectionObject): void {
  const record = object as unknown as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (typeof value === 'string') record[key] = detached(value);
  }
  if (object.options) object.options = detachedData(object.options) as Record<string, unknown>;
  if (object.parsedOptions) object.parsedOptions = detachedData(object.parsedOptions) as typeof object.parsedOptions;
  if (object instanceof protobuf.Enum) object.comments = detachedData(object.comments) as Record<string, string>;
  // Reserved field names ("reserved \"old_name\";"), on messages and enums.
  if (Array.isArray(record['reserved'])) record['reserved'] = detachedData(record['reserved']);
}

/** Detaches every reflection object under `namespace` from the source text it was parsed from. */
export function detachFromSources(namespace: protobuf.NamespaceBase): void {
  detachOwn(namespace);
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type) {
      for (const field of nested.fieldsArray) detachOwn(field);
      for (const oneof of nested.oneofsArray) detachOwn(oneof);
    }
    if (nested instanceof protobuf.Service) for (const method of nested.methodsArray) detachOwn(method);
    if (nested instanceof protobuf.Namespace) detachFromSources(nested);
    else detachOwn(nested);
  }
}
