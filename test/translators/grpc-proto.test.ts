// The FileDescriptorSet written for grpc_json_transcoder, checked the way protobuf's DescriptorPool
// builds it in Envoy (file by file, from an empty pool): every dependency comes earlier in the set,
// every type a file uses is defined in that file or in one it imports directly, every extension
// number lies in its extendee's extension ranges; and the content is what the .proto says (fields,
// map entries, proto3 optional, the google.api.http rules). Bad sources name the line or the import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { compileProto, USER_FILE } from '../../translators/meshgate/grpc-proto';

const SOURCE = `syntax = "proto3";
package shop.v1;
import "google/api/annotations.proto";
import "google/protobuf/timestamp.proto";

message Item {
  string item_id = 1;
  map<string, int32> stock_by_site = 2;
  optional string note = 3;
  oneof price { int64 cents = 4; string label = 5; }
  Kind kind = 6;
  google.protobuf.Timestamp updated = 7;
  enum Kind { KIND_UNSPECIFIED = 0; BOOK = 1; }
}
message GetItemRequest { string item_id = 1; }

service Catalog {
  rpc GetItem(GetItemRequest) returns (Item) {
    option (google.api.http) = { get: "/v1/items/{item_id}" additional_bindings { post: "/v1/items:get" body: "*" } };
  }
  rpc Watch(GetItemRequest) returns (stream Item);
}
`;

type Obj = Record<string, unknown>;
const arr = (o: unknown, k: string): Obj[] => ((o as Obj)[k] as Obj[] | undefined) ?? [];

function descriptorType(): protobuf.Type {
  const root = new protobuf.Root();
  const googleapis = path.join(path.dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps', 'googleapis');
  const files = [path.join(path.dirname(require.resolve('protobufjs/package.json')), 'google/protobuf/descriptor.proto'), path.join(googleapis, 'google/api/http.proto'), path.join(googleapis, 'google/api/annotations.proto')];
  for (const f of files) protobuf.parse(fs.readFileSync(f, 'utf8'), root, { keepCase: true });
  root.resolveAll();
  return root.lookupType('google.protobuf.FileDescriptorSet');
}

function decode(bytes: Uint8Array): Obj[] {
  const type = descriptorType();
  return arr(type.toObject(type.decode(bytes), { enums: String, longs: Number, defaults: false }), 'file');
}

/** Full names of the messages and enums a file defines (nested ones included). */
function definedTypes(file: Obj): Map<string, Obj> {
  const out = new Map<string, Obj>();
  const prefix = file['package'] ? `.${String(file['package'])}` : '';
  const walk = (scope: string, messages: Obj[], enums: Obj[]): void => {
    for (const e of enums) out.set(`${scope}.${String(e['name'])}`, e);
    for (const m of messages) {
      const name = `${scope}.${String(m['name'])}`;
      out.set(name, m);
      walk(name, arr(m, 'nested_type'), arr(m, 'enum_type'));
    }
  };
  walk(prefix, arr(file, 'message_type'), arr(file, 'enum_type'));
  return out;
}

function fieldsOf(file: Obj): Obj[] {
  const out: Obj[] = [...arr(file, 'extension')];
  const walk = (messages: Obj[]): void => {
    for (const m of messages) {
      out.push(...arr(m, 'field'), ...arr(m, 'extension'));
      walk(arr(m, 'nested_type'));
    }
  };
  walk(arr(file, 'message_type'));
  return out;
}

test('the set builds like a DescriptorPool: dependencies first, types from the file or its direct imports, extensions in range', () => {
  const r = compileProto(SOURCE);
  assert.ok(r.ok, !r.ok ? r.reason : '');
  const files = decode(r.descriptorSet);
  const built = new Map<string, Map<string, Obj>>();
  for (const file of files) {
    const name = String(file['name']);
    const deps = ((file['dependency'] as string[] | undefined) ?? []);
    for (const d of deps) assert.ok(built.has(d), `${name} imports ${d}, which must come earlier in the set`);
    const visible = new Map([...definedTypes(file), ...deps.flatMap((d) => [...built.get(d)!])]);
    for (const f of fieldsOf(file)) {
      if (f['type_name'] !== undefined) assert.ok(visible.has(String(f['type_name'])), `${name}: field ${String(f['name'])} uses ${String(f['type_name'])}, not visible`);
      if (f['extendee'] !== undefined) {
        const extendee = visible.get(String(f['extendee']));
        assert.ok(extendee, `${name}: extendee ${String(f['extendee'])} is not visible`);
        const n = Number(f['number']);
        assert.ok(arr(extendee, 'extension_range').some((x) => n >= Number(x['start']) && n < Number(x['end'])), `${name}: extension ${n} outside the ranges of ${String(f['extendee'])}`);
      }
    }
    for (const s of arr(file, 'service')) {
      for (const m of arr(s, 'method')) for (const t of ['input_type', 'output_type']) assert.ok(visible.has(String(m[t])), `${name}: ${String(m['name'])} ${t} ${String(m[t])} not visible`);
    }
    built.set(name, definedTypes(file));
  }
  assert.deepEqual(files.map((f) => f['name']).at(-1), USER_FILE);
  assert.ok(files.some((f) => f['name'] === 'google/protobuf/descriptor.proto' && f['syntax'] === undefined), 'descriptor.proto is proto2');
});

test('the user file says what the .proto says: fields, map entry, proto3 optional, streaming and the HTTP rules', () => {
  const r = compileProto(SOURCE);
  assert.ok(r.ok);
  assert.deepEqual(r.services, ['shop.v1.Catalog']);
  const user = decode(r.descriptorSet).find((f) => f['name'] === USER_FILE)!;
  assert.equal(user['syntax'], 'proto3');
  assert.deepEqual(user['dependency'], ['google/api/annotations.proto', 'google/protobuf/timestamp.proto']);
  const item = arr(user, 'message_type').find((m) => m['name'] === 'Item')!;
  const field = (n: string): Obj => arr(item, 'field').find((f) => f['name'] === n)!;
  assert.deepEqual(field('stock_by_site'), { name: 'stock_by_site', number: 2, label: 'LABEL_REPEATED', type: 'TYPE_MESSAGE', type_name: '.shop.v1.Item.StockBySiteEntry', json_name: 'stockBySite' });
  const entry = arr(item, 'nested_type').find((m) => m['name'] === 'StockBySiteEntry')!;
  assert.deepEqual(entry['options'], { map_entry: true });
  assert.deepEqual(arr(item, 'oneof_decl').map((o) => o['name']), ['price', '_note'], 'the synthetic oneof comes after the real one');
  assert.equal(field('note')['proto3_optional'], true);
  assert.equal(field('note')['oneof_index'], 1);
  assert.equal(field('kind')['type'], 'TYPE_ENUM');
  assert.equal(field('updated')['type_name'], '.google.protobuf.Timestamp');
  const methods = arr(arr(user, 'service')[0], 'method');
  assert.deepEqual(methods.map((m) => [m['name'], m['server_streaming'] === true]), [['GetItem', false], ['Watch', true]]);
  assert.deepEqual((methods[0]!['options'] as Obj)['.google.api.http'], { get: '/v1/items/{item_id}', additional_bindings: [{ post: '/v1/items:get', body: '*' }] });
  assert.equal(methods[1]!['options'], undefined);
});

test('a source that does not parse names the line; an unknown type or import is named too', () => {
  const parse = compileProto('syntax = "proto3";\npackage p;\n\nmessage A {\n  string a = 1\n}\n');
  assert.deepEqual(parse, { ok: false, reason: "line 6: illegal token '}', ';' expected" });
  const unknownType = compileProto('syntax = "proto3";\nmessage A { Missing m = 1; }\nservice S { rpc X(A) returns (A); }');
  assert.equal(unknownType.ok, false);
  assert.match(!unknownType.ok ? unknownType.reason : '', /type Missing used in A is not defined/);
  const unknownImport = compileProto('syntax = "proto3";\nimport "other/thing.proto";\n');
  assert.match(!unknownImport.ok ? unknownImport.reason : '', /import "other\/thing.proto" .*is not available; meshgate provides google\/api\/annotations.proto/);
});
