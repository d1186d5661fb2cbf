// Kong 3's route priority (router_flavor traditional_compatible, kong/router/transform.lua
// get_priority), packed into the meshgate.io/priority annotation: higher matches first. Kong packs
// the same fields, in the same order of significance, into 64 bits; meshgate keeps them under 2^53:
//   match weight (count of non-empty snis, methods, hosts, headers, paths)  · 2^44
//   plain hosts only (hosts given, none with "*")                           · 2^43
//   header count (at most 255)                                              · 2^35
//   regex path                                                              · 2^34
//   regex_priority (regex paths only, 0 … 2^19-1)                           · 2^15
//   prefix path length (at most 2^15-1)
// Kong splits a route with several paths into one sub-route per regex / prefix-length group, each
// with its own priority; the converter emits one HTTPRoute per group.

export const MAX_REGEX_PRIORITY = 2 ** 19 - 1;
const MAX_LENGTH = 2 ** 15 - 1;
const MAX_HEADERS = 255;

export interface PriorityInputs {
  readonly snis: number;
  readonly methods: number;
  readonly hosts: readonly string[];
  readonly headers: number;
  /** The paths of one group: all regex, or all plain of one length (empty: no paths). */
  readonly paths: readonly string[];
  readonly regexPriority: number;
}

export function kongPriority(r: PriorityInputs): number {
  const regex = r.paths.length > 0 && r.paths[0]!.startsWith('~');
  const weight = [r.snis, r.methods, r.hosts.length, r.headers, r.paths.length].filter((n) => n > 0).length;
  const plainHostOnly = r.hosts.length > 0 && r.hosts.every((h) => !h.includes('*'));
  const length = regex || r.paths.length === 0 ? 0 : Math.min(r.paths[0]!.length, MAX_LENGTH);
  return (
    weight * 2 ** 44 +
    (plainHostOnly ? 2 ** 43 : 0) +
    Math.min(r.headers, MAX_HEADERS) * 2 ** 35 +
    (regex ? 2 ** 34 : 0) +
    (regex ? r.regexPriority : 0) * 2 ** 15 +
    length
  );
}

/** Kong's split of a route's paths: regex paths together, plain paths by length; in first-seen order. */
export function pathGroups(paths: readonly string[]): string[][] {
  const groups = new Map<string, string[]>();
  for (const p of paths) {
    const key = p.startsWith('~') ? 'regex' : `prefix:${p.length}`;
    const group = groups.get(key) ?? [];
    group.push(p);
    groups.set(key, group);
  }
  return [...groups.values()];
}
