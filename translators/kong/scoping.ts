// Kong's plugin precedence: for one plugin name, the most specific enabled instance that applies to
// a request runs: consumer+route+service > consumer+route > consumer+service > route+service >
// consumer > route > service > global. Per route this gives the instance everyone gets (the
// base) and, for consumers with a more specific consumer-scoped instance, their override.
import type { KongConsumer, KongPlugin } from './model';
import type { RoutePlan } from './context';
import type { PluginInstance, PluginUse } from './plugins/types';

export function precedenceOf(p: KongPlugin): number {
  const c = p.consumer !== undefined;
  const r = p.route !== undefined;
  const s = p.service !== undefined;
  if (c && r && s) return 8;
  if (c && r) return 7;
  if (c && s) return 6;
  if (r && s) return 5;
  if (c) return 4;
  if (r) return 3;
  if (s) return 2;
  return 1;
}

export function scopeLabel(p: KongPlugin): string {
  const parts = [p.consumer ? 'consumer' : '', p.route ? 'route' : '', p.service ? 'service' : ''].filter(Boolean);
  return parts.length > 0 ? parts.join('+') : 'global';
}

function appliesTo(p: KongPlugin, route: RoutePlan): boolean {
  if (p.route && p.route !== route.route) return false;
  if (p.service && p.service !== route.route.service) return false;
  return true;
}

/**
 * The uses of one plugin name over the routes: routes grouped by who decides there, in route
 * order. Consumer-scoped instances take part only when `overrides` is set.
 */
export function usesOf(
  instances: readonly PluginInstance[],
  routes: readonly RoutePlan[],
  consumers: ReadonlyMap<KongConsumer, { readonly name: string; readonly identities: string[]; readonly consumer: KongConsumer }>,
  overrides: boolean,
  runsOn: (instance: PluginInstance, route: RoutePlan) => boolean = () => true,
): PluginUse[] {
  const uses = new Map<string, { base?: PluginInstance; overrides: PluginUse['overrides'][number][]; routes: RoutePlan[] }>();
  const plain = instances.filter((i) => !i.plugin.consumer);
  const scoped = overrides ? instances.filter((i) => i.plugin.consumer) : [];
  const applies = (i: PluginInstance, route: RoutePlan): boolean => appliesTo(i.plugin, route) && runsOn(i, route);
  for (const route of routes) {
    const base = plain.filter((i) => applies(i, route)).sort((a, b) => precedenceOf(b.plugin) - precedenceOf(a.plugin))[0];
    const winners: PluginUse['overrides'][number][] = [];
    for (const inst of scoped) {
      if (!applies(inst, route)) continue;
      const consumer = consumers.get(inst.plugin.consumer!);
      if (!consumer) continue;
      const rivals = scoped.filter((o) => o.plugin.consumer === inst.plugin.consumer && applies(o, route));
      const best = rivals.sort((a, b) => precedenceOf(b.plugin) - precedenceOf(a.plugin))[0];
      if (best !== inst) continue;
      if (base && precedenceOf(base.plugin) > precedenceOf(inst.plugin)) continue;
      winners.push({ consumer, instance: inst });
    }
    if (!base && winners.length === 0) continue;
    const key = `${base?.plugin.path ?? '-'}|${winners.map((w) => w.instance.plugin.path).join(',')}`;
    const use = uses.get(key) ?? { ...(base ? { base } : {}), overrides: winners, routes: [] };
    use.routes.push(route);
    uses.set(key, use);
  }
  return [...uses.values()];
}
