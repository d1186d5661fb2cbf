// Incremental route compilation. A route's compiled rules depend on the route document and on
// what compilation looked up through its context: documents by name (ExtensionRef policies) and
// backend references (Backends, ReferenceGrants, BackendPolicies). Compiling records every such
// lookup with its answer; the next translation reuses the compiled route (the very same object, so
// later stages can memoise per object) when the document is the same frozen object and every
// recorded lookup still gives the same answer. Only frozen documents are memoised: the store
// deep-freezes what it keeps, and an object nobody can change is safe to key on.
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import type { BackendRefResult, BackendResolver } from '../backends';
import type { ReferenceEnd } from '../core/reference-grants';
import type { DocumentIndex } from '../core/documents';
import type { CompiledRoute } from './compiled-route';
import type { RouteCompileContext } from './route-rules';
import { GenerationalWeakMap } from '../../src/util/generational-weak-map';

type Lookup =
  | { readonly type: 'get'; readonly kind: string; readonly namespace: string; readonly name: string; readonly answer: InputDocument | undefined }
  | { readonly type: 'resolve'; readonly from: ReferenceEnd; readonly ref: JsonObject; readonly grpc: boolean; readonly answer: BackendRefResult };

interface MemoEntry {
  readonly compiled: CompiledRoute;
  readonly warnings: readonly string[];
  readonly lookups: readonly Lookup[];
}

export type RouteCompiler = (doc: InputDocument, ctx: RouteCompileContext, warn: (message: string) => void) => CompiledRoute;

/** Counters for tests and the bench: how many routes were compiled and how many reused. */
export interface RouteMemoStats {
  compiled: number;
  reused: number;
}

/** Deep equality of IR values (plain JSON-like data). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && sameValue(ra[k], rb[k]));
}

function sameResolution(a: BackendRefResult, b: BackendRefResult): boolean {
  if (!a.ok || !b.ok) return !a.ok && !b.ok && a.reason === b.reason && a.message === b.message;
  return a.backend === b.backend && (a.cluster === b.cluster || sameValue(a.cluster, b.cluster));
}

function stillHolds(lookup: Lookup, ctx: RouteCompileContext): boolean {
  if (lookup.type === 'get') return ctx.index.get(lookup.kind, lookup.namespace, lookup.name) === lookup.answer;
  return sameResolution(ctx.backends.resolve(lookup.from, lookup.ref, lookup.grpc), lookup.answer);
}

/** A context that answers like `ctx` and writes down every question and answer. */
function recordingContext(ctx: RouteCompileContext, lookups: Lookup[]): RouteCompileContext {
  const index: DocumentIndex = Object.create(ctx.index) as DocumentIndex;
  index.get = (kind, namespace, name) => {
    const answer = ctx.index.get(kind, namespace, name);
    lookups.push({ type: 'get', kind, namespace, name, answer });
    return answer;
  };
  const backends: BackendResolver = Object.create(ctx.backends) as BackendResolver;
  backends.resolve = (from, ref, grpc) => {
    const answer = ctx.backends.resolve(from, ref, grpc);
    lookups.push({ type: 'resolve', from, ref, grpc, answer });
    return answer;
  };
  return { ...ctx, index, backends };
}

export class RouteMemo {
  private readonly entries = new GenerationalWeakMap<InputDocument, MemoEntry>();
  readonly stats: RouteMemoStats = { compiled: 0, reused: 0 };

  /** `compile(doc, ctx, warn)`, or the previous answer when nothing it depends on changed. */
  compile(doc: InputDocument, ctx: RouteCompileContext, warn: (message: string) => void, compiler: RouteCompiler): CompiledRoute {
    const frozen = Object.isFrozen(doc) && Object.isFrozen(doc.spec);
    const known = frozen ? this.entries.get(doc) : undefined;
    if (known && known.lookups.every((l) => stillHolds(l, ctx))) {
      this.stats.reused++;
      known.warnings.forEach(warn);
      return known.compiled;
    }
    this.stats.compiled++;
    if (!frozen) return compiler(doc, ctx, warn);
    const lookups: Lookup[] = [];
    const warnings: string[] = [];
    const compiled = compiler(doc, recordingContext(ctx, lookups), (message) => {
      warnings.push(message);
      warn(message);
    });
    this.entries.set(doc, { compiled, warnings, lookups });
    return compiled;
  }
}
