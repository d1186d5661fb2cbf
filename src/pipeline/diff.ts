// What a change would do to each proxy group's Envoy resources: added, changed, removed. Used by
// dry runs, so it shows resources as Envoy would receive them, with secrets redacted.
import { stableStringify } from '../cache/stable-json';
import type { EnvoyResource, JsonObject } from '../envoy/resource';
import { TYPE_GROUP_NAME, type ResourceTypeUrl } from '../envoy/type-urls';
import { redactResource } from '../status/redact';
import type { SnapshotPublisher } from './config-service';

export interface ResourceChange {
  readonly type: string;
  readonly name: string;
  /** The resource as Envoy would receive it (with "@type"); absent for removals. */
  readonly resource?: JsonObject;
}

export interface GroupDiff {
  readonly group: string;
  readonly added: readonly ResourceChange[];
  readonly changed: readonly ResourceChange[];
  readonly removed: readonly ResourceChange[];
}

function shown(resource: EnvoyResource): ResourceChange {
  return {
    type: TYPE_GROUP_NAME[resource.typeUrl],
    name: resource.name,
    resource: { '@type': resource.typeUrl, ...redactResource(resource.typeUrl, resource.json).json },
  };
}

export function diffGroups(current: Pick<SnapshotPublisher, 'getSnapshot' | 'groups'>, next: ReadonlyMap<string, readonly EnvoyResource[]>): GroupDiff[] {
  const names = [...new Set([...current.groups(), ...next.keys()])].sort();
  const diffs: GroupDiff[] = [];
  for (const group of names) {
    const before = current.getSnapshot(group);
    const after = next.get(group) ?? [];
    const added: ResourceChange[] = [];
    const changed: ResourceChange[] = [];
    const removed: ResourceChange[] = [];
    const seen = new Set<string>();
    for (const resource of after) {
      seen.add(`${resource.typeUrl} ${resource.name}`);
      const old = before?.resources.get(resource.typeUrl)?.get(resource.name);
      if (!old) added.push(shown(resource));
      else if (stableStringify(old.json) !== stableStringify(resource.json)) changed.push(shown(resource));
    }
    for (const [typeUrl, byName] of before?.resources ?? []) {
      for (const name of byName.keys()) {
        if (!seen.has(`${typeUrl} ${name}`)) removed.push({ type: TYPE_GROUP_NAME[typeUrl as ResourceTypeUrl], name });
      }
    }
    if (added.length + changed.length + removed.length > 0) diffs.push({ group, added, changed, removed });
  }
  return diffs;
}
