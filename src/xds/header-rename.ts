// Request header renames. Envoy has no rename: within one header-mutation level it removes headers
// before it evaluates the values it adds, so "copy x-old to x-new, remove x-old" at the route level
// would copy nothing. Levels run in a fixed order, weighted cluster first, then route, so the copy
// (x-new = %REQ(x-old)%, overwriting) goes on every weighted cluster of the route and the removal of
// x-old on the route, where it runs after the copy. An absent x-old copies nothing (the empty value
// is dropped). Without an upstream (redirects, direct responses) a rename has nothing to act on.
import type { ForwardAction, HeaderMutation, Route } from '../ir/route';

export interface RenamedRoute {
  readonly action: Route['action'];
  readonly requestHeaders: HeaderMutation | undefined;
}

function withoutRename(mutation: HeaderMutation): HeaderMutation | undefined {
  const { rename: _rename, ...rest } = mutation;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/** The route's action and request headers with renames spread over its two header levels. */
export function spreadRenames(route: Route): RenamedRoute {
  const renames = route.requestHeaders?.rename ?? [];
  if (renames.length === 0) return { action: route.action, requestHeaders: route.requestHeaders };
  const rest = withoutRename(route.requestHeaders!);
  if (route.action.type !== 'forward') return { action: route.action, requestHeaders: rest };
  const copies = renames.map((r) => ({ name: r.to, fromRequestHeader: r.from }));
  const action: ForwardAction = {
    ...route.action,
    backends: route.action.backends.map((b) => ({ ...b, requestHeaders: { ...(b.requestHeaders ?? {}), set: [...copies, ...(b.requestHeaders?.set ?? [])] } })),
  };
  const removals = [...renames.map((r) => r.from), ...(rest?.remove ?? [])];
  return { action, requestHeaders: { ...(rest ?? {}), remove: [...new Set(removals)] } };
}
