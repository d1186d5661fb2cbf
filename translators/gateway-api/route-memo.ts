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
  /** The lookup world (RouteMemo.beginTranslation) in which every lookup was last seen to hold. */
  verifiedIn: number;
}

/** What backend resolution can never depend on: the routes themselves. */
const ROUTE_KINDS: ReadonlySet<string> = new Set(['HTTPRoute', 'GRPCRoute']);

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
  /** The documents other than routes, as the last translation had them. */
  private world: readonly InputDocument[] = [];
  /** Bumped whenever a translation's documents other than routes are not the very same frozen objects as the last one's. */
  private worldVersion = 0;

  /**
   * A translation of `documents` begins. Backend resolution reads Backends, ReferenceGrants and
   * BackendPolicies, never routes: while every other document is the very same frozen object as
   * in the last translation, a resolution that held then holds now, so a one-route change does
   * not resolve every other route's backends again. (Document lookups are still checked: they
   * are one map read each.)
   */
  beginTranslation(documents: readonly InputDocument[]): void {
    const world = documents.filter((d) => !ROUTE_KINDS.has(d.kind));
    const before = this.world;
    const same = world.length === before.length && world.every((d, i) => d === before[i] && Object.isFrozen(d) && Object.isFrozen(d.spec));
    if (!same) this.worldVersion++;
    this.world = world;
  }

  private holds(entry: MemoEntry, ctx: RouteCompileContext): boolean {
    // Version 0: no translation said what its documents were, so nothing is taken for granted.
    const resolutionsHold = this.worldVersion !== 0 && entry.verifiedIn === this.worldVersion;
    if (!entry.lookups.every((l) => (resolutionsHold && l.type === 'resolve') || stillHolds(l, ctx))) return false;
    entry.verifiedIn = this.worldVersion;
    return true;
  }

  /** `compile(doc, ctx, warn)`, or the previous answer when nothing it depends on changed. */
  compile(doc: InputDocument, ctx: RouteCompileContext, warn: (message: string) => void, compiler: RouteCompiler): CompiledRoute {
    const frozen = Object.isFrozen(doc) && Object.isFrozen(doc.spec);
    const known = frozen ? this.entries.get(doc) : undefined;
    if (known && this.holds(known, ctx)) {
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
    this.entries.set(doc, { compiled, warnings, lookups, verifiedIn: this.worldVersion });
    return compiled;
  }
}
