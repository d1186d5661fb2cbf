// meshgate.io/priority: an explicit route order that beats Gateway API precedence. Kong orders its
// routes by a priority it computes from each route (match kinds, plain hosts, header count, regex
// flag and regex_priority, path length); the Kong converter computes that number and writes it
// here, so the converted HTTPRoutes/GRPCRoutes match in the order Kong would have matched them.
// Within a virtual host, routes sort by priority, higher first; equal priorities (including every
// route without the annotation, priority 0) keep the Gateway API order exactly.
import type { InputDocument } from '../../src/documents/types';
import { str, type StringSchema } from '../schema';

export const PRIORITY_ANNOTATION = 'meshgate.io/priority';

/** A decimal integer string, 0 ≤ n ≤ 2^53-1 (exact as a JavaScript number). */
export const prioritySchema: StringSchema = str({
  pattern: /^[0-9]+$/,
  patternHint: 'a decimal integer (0 to 9007199254740991, digits only)',
  check: (v) => (Number(v) > Number.MAX_SAFE_INTEGER ? `must be at most ${Number.MAX_SAFE_INTEGER} (2^53-1)` : undefined),
});

/** The route document's priority; 0 when the annotation is absent (invalid values never get here). */
export function routePriority(doc: InputDocument): number {
  const value = doc.metadata.annotations?.[PRIORITY_ANNOTATION];
  return typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : 0;
}

/**
 * Stable sort by priority, higher first. Items are given in Gateway API order, which equal
 * priorities keep (Array.prototype.sort is stable); nothing moves when every priority is 0.
 */
export function sortByPriority<T>(items: readonly T[], priorityOf: (item: T) => number): T[] {
  const keyed = items.map((item) => ({ item, priority: priorityOf(item) }));
  if (keyed.every((k) => k.priority === 0)) return [...items];
  return keyed.sort((a, b) => b.priority - a.priority).map((k) => k.item);
}
