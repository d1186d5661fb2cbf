// .proto source → google.protobuf.FileDescriptorSet, the proto_descriptor_bin Envoy's
// grpc_json_transcoder reads. Envoy builds a fresh descriptor pool from the set, file by file, so
// the set holds the user's file and every file it imports, dependencies first (what
// `protoc --include_imports --descriptor_set_out` writes). Imports may name google/api/annotations.proto,
// google/api/http.proto and google/api/httpbody.proto (from @grpc/grpc-js-xds's deps/googleapis),
// google/protobuf/descriptor.proto (shipped with protobufjs) and the well-known types protobufjs
// bundles (any, duration, empty, field_mask, struct, timestamp, wrappers). Parsing is protobufjs';
// the descriptors are written here from its reflection objects, since protobufjs' own descriptor
// extension neither splits files nor keeps the google.api.http method option.
import fs from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';

export const USER_FILE = 'grpc-json-transcoder.proto';

const GOOGLEAPIS = path.join(path.dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps', 'googleapis');
const PROTOBUFJS_GOOGLE = path.join(path.dirname(require.resolve('protobufjs/package.json')), 'google', 'protobuf');
const BUNDLED_TEXT: Readonly<Record<string, string>> = {
  'google/api/annotations.proto': path.join(GOOGLEAPIS, 'google/api/annotations.proto'),
  'google/api/http.proto': path.join(GOOGLEAPIS, 'google/api/http.proto'),
  'google/api/httpbody.proto': path.join(GOOGLEAPIS, 'google/api/httpbody.proto'),
  'google/protobuf/descriptor.proto': path.join(PROTOBUFJS_GOOGLE, 'descriptor.proto'),
};
const WELL_KNOWN = ['any', 'duration', 'empty', 'field_mask', 'struct', 'timestamp', 'wrappers'].map((n) => `google/protobuf/${n}.proto`);
export const AVAILABLE_IMPORTS = [...Object.keys(BUNDLED_TEXT), ...WELL_KNOWN].sort();

export type ProtoCompileResult =
  | { readonly ok: true; readonly descriptorSet: Uint8Array; readonly services: readonly string[]; readonly files: readonly string[] }
  | { readonly ok: false; readonly reason: string };

interface LoadedFile {
  readonly name: string;
  readonly packageName: string;
  readonly syntax: 'proto2' | 'proto3';
  readonly imports: readonly string[];
}

type Plain = { [key: string]: PlainValue };
type PlainValue = string | number | boolean | Plain | PlainValue[] | undefined;

class ProtoError extends Error {}

/** protobufjs reads the file name it reports (and tags objects with) from this global. */
const parserState = protobuf.parse as unknown as { filename: string | null };

function syntaxOf(source: string): 'proto2' | 'proto3' {
  return /^\s*syntax\s*=\s*["']proto3["']/m.test(source) ? 'proto3' : 'proto2';
}

/** "illegal token 'x' (file.proto, line 3)" → "line 3: illegal token 'x'". */
function parseErrorReason(err: Error): string {
  const m = /^(.*?) \((?:[^,()]+, )?line (\d+)\)$/.exec(err.message);
  return m ? `line ${m[2]}: ${m[1]}` : err.message;
}

function tagUntagged(ns: protobuf.NamespaceBase, file: string): void {
  for (const child of ns.nestedArray) {
    if (child.filename === null || child.filename === undefined) child.filename = file;
    if (child instanceof protobuf.Namespace || child instanceof protobuf.Type || child instanceof protobuf.Service) tagUntagged(child, file);
  }
}

function loadFiles(source: string): { root: protobuf.Root; files: LoadedFile[] } {
  const root = new protobuf.Root();
  const files: LoadedFile[] = [];
  const seen = new Set<string>();
  const load = (name: string, text: string | undefined, importedBy: string | undefined): void => {
    if (seen.has(name)) return;
    seen.add(name);
    if (text === undefined && WELL_KNOWN.includes(name)) {
      const json = protobuf.common.get(name);
      if (!json) throw new ProtoError(`import "${name}" is not available`);
      const temp = protobuf.Root.fromJSON(json);
      const target = root.define('google.protobuf');
      for (const obj of [...(temp.lookup('google.protobuf') as protobuf.Namespace).nestedArray]) {
        obj.parent?.remove(obj);
        obj.filename = name;
        target.add(obj);
      }
      files.push({ name, packageName: 'google.protobuf', syntax: 'proto3', imports: [] });
      return;
    }
    const body = text ?? (BUNDLED_TEXT[name] !== undefined ? fs.readFileSync(BUNDLED_TEXT[name]!, 'utf8') : undefined);
    if (body === undefined) throw new ProtoError(`import "${name}"${importedBy ? ` (in ${importedBy})` : ''} is not available; meshgate provides ${AVAILABLE_IMPORTS.join(', ')}`);
    let parsed: protobuf.IParserResult;
    parserState.filename = name;
    try {
      parsed = protobuf.parse(body, root, { keepCase: true });
    } catch (err) {
      throw new ProtoError(name === USER_FILE ? parseErrorReason(err as Error) : `${name}: ${(err as Error).message}`);
    } finally {
      parserState.filename = null;
    }
    tagUntagged(root, name);
    const imports = [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])];
    for (const imp of imports) load(imp, undefined, name);
    files.push({ name, packageName: parsed.package ?? '', syntax: syntaxOf(body), imports });
  };
  load(USER_FILE, source, undefined);
  try {
    root.resolveAll();
  } catch (err) {
    const message = (err as Error).message
      .replace(/^no such Type or Enum '(.+)' in Type \.(.+)$/, 'type $1 used in $2 is not defined (or not imported)')
      .replace(/^no such type: (.*)$/, 'type $1 is not defined (or not imported)');
    throw new ProtoError(message);
  }
  return { root, files };
}

// ---- reflection → descriptor (plain objects with descriptor.proto's field names) ----

const SCALAR_TYPES: Readonly<Record<string, number>> = {
  double: 1, float: 2, int64: 3, uint64: 4, int32: 5, fixed64: 6, fixed32: 7, bool: 8, string: 9, bytes: 12, uint32: 13, sfixed32: 15, sfixed64: 16, sint32: 17, sint64: 18,
};
const TYPE_MESSAGE = 11;
const TYPE_ENUM = 14;
const LABEL_OPTIONAL = 1;
const LABEL_REQUIRED = 2;
const LABEL_REPEATED = 3;
const MAX_FIELD_NUMBER = 536_870_911;

/** protoc's default json_name: underscores dropped, the letter after each one upper-cased. */
export function jsonName(name: string): string {
  return name.replace(/_+([a-zA-Z0-9])?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''));
}

/** protoc's map entry message name: "item_counts" → "ItemCountsEntry". */
function mapEntryName(field: string): string {
  const camel = jsonName(field);
  return `${camel.charAt(0).toUpperCase()}${camel.slice(1)}Entry`;
}

function typeRef(resolved: protobuf.ReflectionObject | null | undefined, field: { readonly fullName: string; readonly type?: string }): string {
  if (!resolved) throw new ProtoError(`field ${field.fullName.slice(1)}: type ${field.type} is not defined`);
  return resolved.fullName;
}

function fieldType(field: protobuf.FieldBase): { type: number; type_name?: string } {
  const scalar = SCALAR_TYPES[field.type];
  if (scalar !== undefined && !field.resolvedType) return { type: scalar };
  if (field.resolvedType instanceof protobuf.Enum) return { type: TYPE_ENUM, type_name: typeRef(field.resolvedType, field) };
  return { type: TYPE_MESSAGE, type_name: typeRef(field.resolvedType, field) };
}

function defaultValue(field: protobuf.Field): string | undefined {
  const d: unknown = field.options?.['default'];
  if (d === undefined || d === null) return undefined;
  return typeof d === 'boolean' ? String(d) : String(d);
}

function fieldDescriptor(field: protobuf.Field, oneofIndex: Map<protobuf.OneOf, number>): Plain {
  const options: Plain = {};
  if (field.options?.['packed'] !== undefined) options['packed'] = Boolean(field.options['packed']);
  if (field.options?.['deprecated'] === true) options['deprecated'] = true;
  const label = field.repeated ? LABEL_REPEATED : field.required ? LABEL_REQUIRED : LABEL_OPTIONAL;
  const oneof = field.partOf ? oneofIndex.get(field.partOf) : undefined;
  return {
    name: field.name,
    number: field.id,
    label,
    ...fieldType(field),
    ...(field.extend !== undefined ? { extendee: (field as protobuf.Field & { extensionField?: protobuf.Field }).extensionField?.parent?.fullName ?? `.${field.extend}` } : {}),
    ...(defaultValue(field) !== undefined ? { default_value: defaultValue(field) } : {}),
    ...(oneof !== undefined ? { oneof_index: oneof } : {}),
    json_name: typeof field.options?.['json_name'] === 'string' ? (field.options['json_name'] as string) : jsonName(field.name),
    ...(Object.keys(options).length > 0 ? { options } : {}),
    ...(field.options?.['proto3_optional'] === true ? { proto3_optional: true } : {}),
  };
}

function mapFieldDescriptors(field: protobuf.MapField): { field: Plain; entry: Plain } {
  const entryName = mapEntryName(field.name);
  const keyType = SCALAR_TYPES[field.keyType];
  if (keyType === undefined) throw new ProtoError(`field ${field.fullName.slice(1)}: ${field.keyType} is not a valid map key type`);
  const value = fieldType(field);
  return {
    field: { name: field.name, number: field.id, label: LABEL_REPEATED, type: TYPE_MESSAGE, type_name: `${field.parent!.fullName}.${entryName}`, json_name: jsonName(field.name) },
    entry: {
      name: entryName,
      field: [
        { name: 'key', number: 1, label: LABEL_OPTIONAL, type: keyType, json_name: 'key' },
        { name: 'value', number: 2, label: LABEL_OPTIONAL, ...value, json_name: 'value' },
      ],
      options: { map_entry: true },
    },
  };
}

function ranges(list: readonly (number[] | string)[] | undefined): { numbers: Plain[]; names: string[] } {
  const numbers: Plain[] = [];
  const names: string[] = [];
  for (const r of list ?? []) {
    if (typeof r === 'string') names.push(r);
    else numbers.push({ start: r[0]!, end: Math.min(r[1]!, MAX_FIELD_NUMBER) + 1 });
  }
  return { numbers, names };
}

function enumDescriptor(e: protobuf.Enum): Plain {
  const reserved = ranges(e.reserved as (number[] | string)[] | undefined);
  return {
    name: e.name,
    value: Object.entries(e.values).map(([name, number]) => ({ name, number })),
    ...(e.options?.['allow_alias'] === true ? { options: { allow_alias: true } } : {}),
    // Enum reserved ranges are inclusive in descriptor.proto.
    ...(reserved.numbers.length > 0 ? { reserved_range: reserved.numbers.map((r) => ({ start: r['start']!, end: (r['end'] as number) - 1 })) } : {}),
    ...(reserved.names.length > 0 ? { reserved_name: reserved.names } : {}),
  };
}

function messageDescriptor(type: protobuf.Type): Plain {
  // Real oneofs first: a proto3 `optional` field's synthetic oneof must come after them.
  const oneofs = [...type.oneofsArray].sort((a, b) => Number(isSynthetic(a)) - Number(isSynthetic(b)));
  const oneofIndex = new Map(oneofs.map((o, i) => [o, i]));
  const fields: Plain[] = [];
  const nested: Plain[] = [];
  for (const f of type.fieldsArray) {
    if ((f as protobuf.Field & { declaringField?: protobuf.Field }).declaringField) continue; // an extension of this type declared elsewhere
    if (f instanceof protobuf.MapField) {
      const m = mapFieldDescriptors(f);
      fields.push(m.field);
      nested.push(m.entry);
    } else fields.push(fieldDescriptor(f, oneofIndex));
  }
  const enums: Plain[] = [];
  const extensions: Plain[] = [];
  for (const child of type.nestedArray) {
    if (child instanceof protobuf.Type) nested.push(messageDescriptor(child));
    else if (child instanceof protobuf.Enum) enums.push(enumDescriptor(child));
    else if (child instanceof protobuf.Field && child.extend !== undefined) extensions.push(fieldDescriptor(child, new Map()));
  }
  const reserved = ranges(type.reserved as (number[] | string)[] | undefined);
  const extensionRanges = ranges(type.extensions as number[][] | undefined).numbers;
  return {
    name: type.name,
    ...(fields.length > 0 ? { field: fields } : {}),
    ...(nested.length > 0 ? { nested_type: nested } : {}),
    ...(enums.length > 0 ? { enum_type: enums } : {}),
    ...(extensions.length > 0 ? { extension: extensions } : {}),
    ...(oneofs.length > 0 ? { oneof_decl: oneofs.map((o) => ({ name: o.name })) } : {}),
    ...(extensionRanges.length > 0 ? { extension_range: extensionRanges } : {}),
    ...(reserved.numbers.length > 0 ? { reserved_range: reserved.numbers } : {}),
    ...(reserved.names.length > 0 ? { reserved_name: reserved.names } : {}),
  };
}

function isSynthetic(o: protobuf.OneOf): boolean {
  return o.fieldsArray.length === 1 && o.fieldsArray[0]!.options?.['proto3_optional'] === true;
}

/** `(google.api.http)` as protobufjs parsed it → a google.api.HttpRule object. */
function httpRule(value: unknown): Plain | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: Plain = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'additional_bindings') {
      const list = (Array.isArray(v) ? v : [v]).map(httpRule).filter((r): r is Plain => r !== undefined);
      if (list.length > 0) out[k] = list;
    } else if (k === 'custom' && typeof v === 'object' && v !== null) out[k] = { ...(v as Plain) };
    else if (typeof v === 'string') out[k] = v;
  }
  return out;
}

function methodDescriptor(method: protobuf.Method): Plain {
  const http = (method.parsedOptions ?? []).map((o: Record<string, unknown>) => o['(google.api.http)']).find((v: unknown) => v !== undefined);
  const rule = httpRule(http);
  return {
    name: method.name,
    input_type: typeRef(method.resolvedRequestType, { fullName: method.fullName, type: method.requestType }),
    output_type: typeRef(method.resolvedResponseType, { fullName: method.fullName, type: method.responseType }),
    ...(method.requestStream ? { client_streaming: true } : {}),
    ...(method.responseStream ? { server_streaming: true } : {}),
    ...(rule ? { options: { '.google.api.http': rule } } : {}),
  };
}

function fileDescriptor(root: protobuf.Root, file: LoadedFile): { descriptor: Plain; services: string[] } {
  const messages: Plain[] = [];
  const enums: Plain[] = [];
  const services: Plain[] = [];
  const serviceNames: string[] = [];
  const extensions: Plain[] = [];
  const visit = (ns: protobuf.NamespaceBase): void => {
    for (const child of ns.nestedArray) {
      if (child.filename !== file.name) {
        if (child instanceof protobuf.Namespace && !(child instanceof protobuf.Type) && !(child instanceof protobuf.Service)) visit(child);
        continue;
      }
      if (child instanceof protobuf.Type) messages.push(messageDescriptor(child));
      else if (child instanceof protobuf.Enum) enums.push(enumDescriptor(child));
      else if (child instanceof protobuf.Service) {
        services.push({ name: child.name, method: child.methodsArray.map(methodDescriptor) });
        serviceNames.push(child.fullName.slice(1));
      } else if (child instanceof protobuf.Field && child.extend !== undefined) extensions.push(fieldDescriptor(child, new Map()));
      else if (child instanceof protobuf.Namespace) visit(child);
    }
  };
  visit(root);
  return {
    descriptor: {
      name: file.name,
      ...(file.packageName !== '' ? { package: file.packageName } : {}),
      ...(file.imports.length > 0 ? { dependency: [...file.imports] } : {}),
      ...(messages.length > 0 ? { message_type: messages } : {}),
      ...(enums.length > 0 ? { enum_type: enums } : {}),
      ...(services.length > 0 ? { service: services } : {}),
      ...(extensions.length > 0 ? { extension: extensions } : {}),
      ...(file.syntax === 'proto3' ? { syntax: 'proto3' } : {}),
    },
    services: serviceNames,
  };
}

let descriptorTypes: protobuf.Type | undefined;

/** google.protobuf.FileDescriptorSet, with the google.api.http extension of MethodOptions known. */
function fileDescriptorSetType(): protobuf.Type {
  if (!descriptorTypes) {
    const root = new protobuf.Root();
    for (const name of ['google/protobuf/descriptor.proto', 'google/api/http.proto', 'google/api/annotations.proto']) {
      protobuf.parse(fs.readFileSync(BUNDLED_TEXT[name]!, 'utf8'), root, { keepCase: true });
    }
    root.resolveAll();
    descriptorTypes = root.lookupType('google.protobuf.FileDescriptorSet');
  }
  return descriptorTypes;
}

const compiled = new Map<string, ProtoCompileResult>();

/** Compiles .proto source (memoised by text: a policy is validated and translated with the same source). */
export function compileProto(source: string): ProtoCompileResult {
  const known = compiled.get(source);
  if (known) return known;
  let result: ProtoCompileResult;
  try {
    const { root, files } = loadFiles(source);
    const out = files.map((f) => ({ file: f, ...fileDescriptor(root, f) }));
    const type = fileDescriptorSetType();
    const descriptorSet = type.encode(type.fromObject({ file: out.map((o) => o.descriptor) })).finish();
    result = { ok: true, descriptorSet, services: out.find((o) => o.file.name === USER_FILE)?.services ?? [], files: files.map((f) => f.name) };
  } catch (err) {
    if (!(err instanceof ProtoError) && !(err instanceof Error)) throw err;
    result = { ok: false, reason: err.message };
  }
  if (compiled.size > 64) compiled.clear();
  compiled.set(source, result);
  return result;
}
