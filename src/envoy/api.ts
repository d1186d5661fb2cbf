// The Envoy v3 API, loaded once from the .proto files that ship inside @grpc/grpc-js-xds
// (deps/envoy-api, deps/xds, deps/googleapis, deps/protoc-gen-validate) plus the project's own
// proto/ directory. Nothing third-party is copied into the repository.
//
// Files are loaded by package, when a type of the package is first looked up (a served
// configuration needs a few dozen of the 366 files; the whole set costs ~15 MiB of heap). `root`
// and `files` still mean the whole API: reading them loads every file.
//
// The bundled set also carries Envoy's deprecated v2 API and a few v3 files whose imports are not
// shipped (OpenCensus, OpenTelemetry, Prometheus client protos). Those files are skipped by checking
// their import graph first: protobufjs would otherwise abort the whole load on the first missing file.
import fs from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { detached, detachFromSources } from './detached-strings';

const XDS_DEPS = path.join(path.dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');

/** The repository's own proto/ directory, found upward from this file (works from src/ and dist/). */
function findProjectProtoDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'proto'))) {
      return path.join(dir, 'proto');
    }
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '..', '..', '..', 'proto');
  }
}
const PROJECT_PROTO_DIR = findProjectProtoDir();

/** Directories searched, in order, for an import path such as "envoy/config/core/v3/base.proto". */
export const PROTO_INCLUDE_DIRS: readonly string[] = [
  path.join(XDS_DEPS, 'envoy-api'),
  path.join(XDS_DEPS, 'xds'),
  path.join(XDS_DEPS, 'googleapis'),
  path.join(XDS_DEPS, 'protoc-gen-validate'),
  PROJECT_PROTO_DIR,
  // google/protobuf/descriptor.proto and friends; the well-known types are built into protobufjs.
  path.dirname(require.resolve('protobufjs/package.json')),
];

function resolveImport(importPath: string): string | undefined {
  for (const dir of PROTO_INCLUDE_DIRS) {
    const candidate = path.join(dir, importPath);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

function listProtoFiles(dir: string, base: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) listProtoFiles(full, base, out);
    else if (entry.name.endsWith('.proto')) out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out;
}

const IMPORT_RE = /^\s*import\s+(?:public\s+|weak\s+)?"([^"]+)"\s*;/gm;

/** True when the file and everything it imports (transitively) can be found. */
function makeLoadabilityCheck(): (importPath: string) => boolean {
  const known = new Map<string, boolean>();
  const check = (importPath: string, visiting: Set<string>): boolean => {
    if (importPath.startsWith('google/protobuf/')) return true; // protobufjs has these built in
    const cached = known.get(importPath);
    if (cached !== undefined) return cached;
    if (visiting.has(importPath)) return true; // a cycle is decided by its first member
    visiting.add(importPath);
    const file = resolveImport(importPath);
    let ok = file !== undefined;
    if (file) {
      // Detached: the map below keeps import paths for good, and a match would keep the file's text.
      for (const m of fs.readFileSync(file, 'utf8').matchAll(IMPORT_RE)) {
        if (!check(detached(m[1]!), visiting)) ok = false;
      }
    }
    visiting.delete(importPath);
    known.set(importPath, ok);
    return ok;
  };
  return (importPath) => check(importPath, new Set());
}

export interface EnvoyApi {
  /** The whole API (reading it loads every file not loaded yet). */
  readonly root: protobuf.Root;
  /** Look up a message type by its full name, e.g. "envoy.config.cluster.v3.Cluster". */
  messageType(fullName: string): protobuf.Type;
  /** Look up a message type by name, or undefined when the API set does not have it. */
  findMessageType(fullName: string): protobuf.Type | undefined;
  /** The .proto files of the whole API (import paths; reading it loads every file). */
  readonly files: readonly string[];
}

let cached: EnvoyApi | undefined;

/** The process-wide Envoy API; every caller shares one instance, which loads files as needed. */
export function envoyApi(): EnvoyApi {
  if (!cached) cached = createEnvoyApi();
  return cached;
}

/**
 * Packages loaded up front: the discovery service (and with it google.protobuf.Any) and the
 * resource types every served configuration has.
 */
const CORE_PACKAGES = ['envoy.service.discovery.v3', 'envoy.config.listener.v3', 'envoy.config.route.v3', 'envoy.config.cluster.v3', 'envoy.config.endpoint.v3'];

function createEnvoyApi(): EnvoyApi {
  const loadable = makeLoadabilityCheck();
  const envoyDir = path.join(XDS_DEPS, 'envoy-api');
  const candidates = [
    ...listProtoFiles(path.join(envoyDir, 'envoy'), envoyDir),
    ...listProtoFiles(PROJECT_PROTO_DIR, PROJECT_PROTO_DIR),
    // Not imported by any Envoy file, but users put them in typed_config.
    'xds/type/v3/typed_struct.proto',
    'udpa/type/v1/typed_struct.proto',
  ].filter((f) => !/\/v2(alpha\d*|beta\d*)?\//.test(`/${f}`));
  // Proto files by directory, which is the package path ("envoy/config/route/v3").
  const byDirectory = new Map<string, string[]>();
  for (const file of candidates) {
    const dir = path.posix.dirname(file);
    const list = byDirectory.get(dir) ?? [];
    list.push(file);
    byDirectory.set(dir, list);
  }
  const root = new protobuf.Root();
  root.resolvePath = (_origin: string, target: string) => resolveImport(target) ?? target;
  const requested = new Set<string>();
  let everything: readonly string[] | undefined;

  /** Loads the files not asked for before; true when there were any. */
  const load = (files: readonly string[]): boolean => {
    const fresh = files.filter((f) => !requested.has(f) && loadable(f));
    files.forEach((f) => requested.add(f));
    if (fresh.length === 0) return false;
    root.loadSync(fresh, { keepCase: true });
    root.resolveAll();
    detachFromSources(root);
    return true;
  };
  const loadAll = (): readonly string[] => {
    if (!everything) {
      load(candidates);
      everything = candidates.filter((f) => loadable(f));
    }
    return everything;
  };
  /** The files of the package a (possibly nested) type name belongs to. */
  const packageFiles = (fullName: string): readonly string[] => {
    const parts = fullName.split('.');
    for (let n = parts.length - 1; n > 0; n--) {
      const files = byDirectory.get(parts.slice(0, n).join('/'));
      if (files) return files;
    }
    return [];
  };
  const lookup = (name: string): protobuf.Type | undefined => {
    const found = root.lookup(name);
    return found instanceof protobuf.Type ? found : undefined;
  };
  const findMessageType = (fullName: string): protobuf.Type | undefined => {
    const name = fullName.replace(/^\./, '');
    let found = lookup(name);
    if (!found && load(packageFiles(name))) found = lookup(name);
    // Not where its name says (or not in the API at all): only the whole set can tell.
    if (!found && !everything) {
      loadAll();
      found = lookup(name);
    }
    return found;
  };
  load(CORE_PACKAGES.flatMap((p) => byDirectory.get(p.replace(/\./g, '/')) ?? []));
  return {
    get root(): protobuf.Root {
      loadAll();
      return root;
    },
    get files(): readonly string[] {
      return loadAll();
    },
    findMessageType,
    messageType(fullName: string): protobuf.Type {
      const t = findMessageType(fullName);
      if (!t) throw new Error(`unknown message type ${fullName}`);
      return t;
    },
  };
}
