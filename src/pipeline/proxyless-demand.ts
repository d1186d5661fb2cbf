// Proxyless gRPC views ("grpc:<name>", src/xds/proxyless) are served only while a proxyless node
// reads them. compile() builds the demanded ones; these helpers add a view to a compiled
// configuration when its first node connects (building and validating it then, its notes becoming
// status warnings) and take it out, notes and all, when the last one leaves.
import type { EnvoyResource } from '../envoy/resource';
import type { DocumentError } from '../documents/types';
import { PROXYLESS_GROUP_PREFIX, proxylessGroupOf, withProxylessNotes, type ProxylessNote } from '../xds/proxyless';
import { compileProxylessView, notesOf, type CompiledConfig } from './compile';

export function isProxylessGroup(group: string): boolean {
  return group.startsWith(PROXYLESS_GROUP_PREFIX);
}

export interface ProxylessView {
  readonly resources: readonly EnvoyResource[];
  readonly notes: readonly ProxylessNote[];
}

/** A view that cannot be served (an internal error: the IR it comes from was accepted). */
export class ProxylessViewError extends Error {}

/**
 * The proxyless view `group` of the configuration: the kept one, else built and validated now
 * from its IR proxy, as compile() does (frozen, like every compiled group). Undefined when no proxy
 * of the configuration has that view.
 */
export function proxylessViewOf(config: CompiledConfig, group: string): ProxylessView | undefined {
  const kept = config.groups.get(group);
  if (kept) return { resources: kept, notes: config.proxylessNotes.get(group) ?? [] };
  const proxy = config.ir.proxies.find((p) => proxylessGroupOf(p.name) === group);
  if (!proxy) return undefined;
  const built = new Map<string, readonly EnvoyResource[]>();
  const errors: DocumentError[] = [];
  const notes = compileProxylessView(proxy, built, errors, undefined);
  const resources = built.get(group);
  if (errors.length > 0 || !resources) throw new ProxylessViewError(errors.map((e) => e.reason).join('; '));
  return { resources, notes };
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
