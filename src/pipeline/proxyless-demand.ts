// Proxyless gRPC views ("grpc:<name>", src/xds/proxyless) are served only while a proxyless node
// reads them. compile() builds the demanded ones; these helpers add a view to a compiled
// configuration when its first node connects (building and validating it then, its notes becoming
// status warnings) and take it out, notes and all, when the last one leaves.
import type { EnvoyResource } from '../envoy/resource';
import { buildProxylessView, PROXYLESS_GROUP_PREFIX, proxylessGroupOf, withProxylessNotes, type ProxylessNote } from '../xds/proxyless';
import { formatIssue, validateSnapshot } from '../validate';
import { notesOf, type CompiledConfig } from './compile';
import { shareUnchanged } from './structural-sharing';

export function isProxylessGroup(group: string): boolean {
  return group.startsWith(PROXYLESS_GROUP_PREFIX);
}

export interface ProxylessView {
  readonly resources: readonly EnvoyResource[];
  readonly notes: readonly ProxylessNote[];
}

/** A view that would hold resources Envoy's rules reject (an internal error: the IR was accepted). */
export class ProxylessViewError extends Error {}

/**
 * The proxyless view `group` of the configuration: the kept one, else built and validated now
 * from its IR proxy (frozen, like every compiled group). Undefined when no proxy of the
 * configuration has that view.
 */
export function proxylessViewOf(config: CompiledConfig, group: string): ProxylessView | undefined {
  const kept = config.groups.get(group);
  if (kept) return { resources: kept, notes: config.proxylessNotes.get(group) ?? [] };
  const proxy = config.ir.proxies.find((p) => proxylessGroupOf(p.name) === group);
  if (!proxy) return undefined;
  const view = buildProxylessView(proxy);
  const issues = validateSnapshot(view.resources);
  if (issues.length > 0) throw new ProxylessViewError(`${group}: its proxyless gRPC view would hold a resource Envoy's rules reject: ${issues.map(formatIssue).join('; ')}`);
  return { resources: shareUnchanged(view.resources, undefined), notes: view.notes };
}

/**
 * `config` holding the proxyless views `wanted` asks for and no others, in compile()'s order (each
 * view after its proxy's group). The same object when nothing changes, so publishing it again
 * costs nothing.
 */
export function withProxylessViews(config: CompiledConfig, wanted: (group: string) => boolean): CompiledConfig {
  let changed = false;
  const groups = new Map<string, readonly EnvoyResource[]>();
  const proxylessNotes = new Map<string, readonly ProxylessNote[]>();
  for (const [group, resources] of config.groups) {
    if (isProxylessGroup(group)) continue;
    groups.set(group, resources);
    const viewGroup = proxylessGroupOf(group);
    const kept = config.groups.get(viewGroup);
    if (!wanted(viewGroup)) {
      changed ||= kept !== undefined;
      continue;
    }
    const view = proxylessViewOf(config, viewGroup);
    if (!view) continue;
    changed ||= kept === undefined;
    groups.set(viewGroup, view.resources);
    proxylessNotes.set(viewGroup, view.notes);
  }
  if (!changed) return config;
  return { ...config, groups, proxylessNotes, statuses: withProxylessNotes(config.translatedStatuses, notesOf(proxylessNotes)) };
}

/** Every proxyless view the configuration can serve, kept or not (for listings). */
export function proxylessGroupsOf(config: CompiledConfig): string[] {
  return config.ir.proxies.map((p) => proxylessGroupOf(p.name));
}
