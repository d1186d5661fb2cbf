// Built JSON that is memoised (handed out again for the same IR object) is frozen, so no later
// stage can change what another build will return.
import type { JsonObject, JsonValue } from '../../envoy/resource';

export function deepFreeze<T extends JsonValue>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as JsonObject)) deepFreeze(child);
  }
  return value;
}
