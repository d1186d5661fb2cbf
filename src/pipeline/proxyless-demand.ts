// Proxyless gRPC views ("grpc:<name>", src/xds/proxyless) are served only while a proxyless node
// reads them. compile() builds and validates every view (their notes are status warnings, their
// errors refuse a change) but keeps only the demanded ones; these helpers add a view to a compiled
// configuration when its first node connects and take it out when the last one leaves.
import type { EnvoyResource } from '../envoy/resource';
import { buildProxylessView, PROXYLESS_GROUP_PREFIX, proxylessGroupOf } from '../xds/proxyless';
import type { CompiledConfig } from './compile';
import { shareUnchanged } from './structural-sharing';

export function isProxylessGroup(group: string): boolean {
  return group.startsWith(PROXYLESS_GROUP_PREFIX);
}

/**
 * The proxyless view `group` of the configuration: the kept one, else built now from its IR proxy
 * (frozen, like every compiled group). Undefined when no proxy of the configuration has that view.
 * compile() already built and validated the same view from the same IR, so building it again
 * cannot fail.
 */
export function proxylessViewOf(config: CompiledConfig, group: string): readonly EnvoyResource[] | undefined {
  const kept = config.groups.get(group);
  if (kept) return kept;
  const proxy = config.ir.proxies.find((p) => proxylessGroupOf(p.name) === group);
  return proxy ? shareUnchanged(buildProxylessView(proxy).resources, undefined) : undefined;
}

/**
 * `config` holding the proxyless views `wanted` asks for and no others, in compile()'s order (each
 * view after its proxy's group). The same object when nothing changes, so publishing it again
 * costs nothing.
 */
export function withProxylessViews(config: CompiledConfig, wanted: (group: string) => boolean): CompiledConfig {
  let changed = false;
  const groups = new Map<string, readonly EnvoyResource[]>();
  for (const [group, resources] of config.groups) {
    if (isProxylessGroup(group)) continue;
    groups.set(group, resources);
    const view = proxylessGroupOf(group);
    const kept = config.groups.get(view);
    if (!wanted(view)) {
      changed ||= kept !== undefined;
      continue;
    }
    const resourcesOfView = kept ?? proxylessViewOf(config, view);
    if (!resourcesOfView) continue;
    changed ||= kept === undefined;
    groups.set(view, resourcesOfView);
  }
  return changed ? { ...config, groups } : config;
}

/** Every proxyless view the configuration can serve, kept or not (for listings). */
export function proxylessGroupsOf(config: CompiledConfig): string[] {
  return config.ir.proxies.map((p) => proxylessGroupOf(p.name));
}
