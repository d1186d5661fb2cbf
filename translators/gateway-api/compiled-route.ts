// What route compilation produces: each route's valid rules with their matches, filters and
// resolved backends, independent of the listener the route attaches to. Listener-specific parts
// (redirect ports, policies) are finished when the route is placed on a listener.
import type { InputDocument, StatusCondition } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import type { Cluster } from '../../src/ir/cluster';
import type { CorsPolicy, ExtAuthzPolicy } from '../../src/ir/policy';
import type { HeaderMutation, Mirror, RetryPolicy, Rewrite, RouteMatch, WeightedBackend } from '../../src/ir/route';
import { getStrings } from '../core/json';
import type { RouteKind } from './listeners';
import { routePriority } from './priority';

export interface CompiledMatch {
  readonly match: RouteMatch;
  readonly matchIndex: number;
}

export interface CompiledRule {
  readonly index: number;
  readonly name?: string;
  readonly matches: readonly CompiledMatch[];
  readonly requestHeaders?: HeaderMutation;
  readonly responseHeaders?: HeaderMutation;
  /** The RequestRedirect filter as written; its port depends on the listener. */
  readonly redirect?: JsonObject;
  readonly rewrite?: Rewrite;
  readonly mirrors: readonly Mirror[];
  readonly cors?: CorsPolicy;
  readonly extAuthz?: ExtAuthzPolicy;
  /** meshgate policies the rule references with ExtensionRef filters (rule-level attachment). */
  readonly extensionPolicies: readonly InputDocument[];
  /** Backends that resolved, with their weights; an unresolved share points at UNRESOLVED_BACKEND_CLUSTER. */
  readonly backends: readonly WeightedBackend[];
  /** The Backend documents behind `backends`, in backendRefs order (for backend-level policies). */
  readonly backendDocs: readonly InputDocument[];
  /** An HTTPRouteFilter's directResponse: the rule answers by itself. */
  readonly directResponse?: { readonly status: number; readonly body?: string; readonly contentType?: string };
  /** Answer this instead of forwarding (no usable backend, a filter that did not resolve): 500 for HTTP, 503 for gRPC (clients see UNAVAILABLE). */
  readonly failStatus?: 500 | 503;
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  /** Every cluster the rule's actions name. */
  readonly clusters: readonly Cluster[];
}

export interface CompiledRoute {
  readonly doc: InputDocument;
  readonly kind: RouteKind;
  readonly hostnames: readonly string[];
  /** meshgate.io/priority (0 when absent): higher sorts first in every virtual host. */
  readonly priority: number;
  readonly rules: readonly CompiledRule[];
  readonly resolvedRefs: StatusCondition;
  /** "Dropped Rule ..." messages for rules that could not be used (PartiallyInvalid). */
  readonly droppedRules: readonly string[];
  /** Every rule was dropped: the route is not accepted (UnsupportedValue). */
  readonly unusable: boolean;
  /** True when some backend share points at the unresolved-backend cluster. */
  readonly usesUnresolvedCluster: boolean;
  /** Errors in how the route combines its filters (e.g. two path rewrites on one rule), paths relative to the document. */
  readonly errors: readonly { readonly path: string; readonly reason: string }[];
}

/** The route-level result both route kinds end with, once their rules are compiled. */
export function compiledRoute(
  doc: InputDocument,
  kind: RouteKind,
  rules: readonly CompiledRule[],
  resolvedRefs: StatusCondition,
  droppedRules: readonly string[],
  usesUnresolvedCluster: boolean,
  errors: readonly { readonly path: string; readonly reason: string }[] = [],
): CompiledRoute {
  return {
    doc,
    kind,
    hostnames: getStrings(doc.spec, 'hostnames'),
    priority: routePriority(doc),
    rules,
    resolvedRefs,
    droppedRules,
    unusable: rules.length === 0,
    usesUnresolvedCluster,
    errors,
  };
}
