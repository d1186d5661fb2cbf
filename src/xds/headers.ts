// IR header mutations → HeaderValueOption lists and *_to_remove. "set" overwrites
// (OVERWRITE_IF_EXISTS_OR_ADD), "add" appends (APPEND_IF_EXISTS_OR_ADD, the enum's zero value and so
// absent in canonical JSON).
import type { JsonObject } from '../envoy/resource';
import type { HeaderMutation } from '../ir/route';
import { list } from './json';

export interface EnvoyHeaderMutation {
  readonly toAdd: JsonObject[] | undefined;
  readonly toRemove: string[] | undefined;
}

export function headerMutation(mutation: HeaderMutation | undefined): EnvoyHeaderMutation {
  if (!mutation) return { toAdd: undefined, toRemove: undefined };
  const toAdd: JsonObject[] = [
    ...(mutation.set ?? []).map((h) => ({ header: { key: h.name, value: h.value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' })),
    ...(mutation.add ?? []).map((h) => ({ header: { key: h.name, value: h.value } })),
  ];
  return { toAdd: list(toAdd), toRemove: list(mutation.remove ?? []) };
}
