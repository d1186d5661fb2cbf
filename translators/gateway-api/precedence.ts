// Gateway API match precedence within a hostname: an Exact path first, then (meshgate's choice
// for the implementation-specific case) regular expressions, longest first, then the longest
// PathPrefix; then a method match, more header matches, more query-parameter matches; then the
// oldest route, then "namespace/name", then rule order and match order.
import type { RouteMatch } from '../../src/ir/route';
import { compareAge } from '../core/documents';
import type { CompiledMatch, CompiledRoute, CompiledRule } from './compiled-route';

export interface MatchEntry {
  readonly route: CompiledRoute;
  readonly rule: CompiledRule;
  readonly match: CompiledMatch;
}

const PATH_RANK: Record<RouteMatch['path']['type'], number> = { Exact: 0, RegularExpression: 1, PathPrefix: 2, StringPrefix: 2 };

export function compareMatches(a: MatchEntry, b: MatchEntry): number {
  const ma = a.match.match;
  const mb = b.match.match;
  return (
    PATH_RANK[ma.path.type] - PATH_RANK[mb.path.type] ||
    mb.path.value.length - ma.path.value.length ||
    Number(mb.method !== undefined) - Number(ma.method !== undefined) ||
    (mb.headers?.length ?? 0) - (ma.headers?.length ?? 0) ||
    (mb.queryParams?.length ?? 0) - (ma.queryParams?.length ?? 0) ||
    compareAge(a.route.doc, b.route.doc) ||
    (a.route.kind < b.route.kind ? -1 : a.route.kind > b.route.kind ? 1 : 0) ||
    a.rule.index - b.rule.index ||
    a.match.matchIndex - b.match.matchIndex
  );
}
