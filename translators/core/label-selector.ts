// Kubernetes label selectors (matchLabels + matchExpressions), used by allowedRoutes namespace
// selectors and by policies selecting consumers.
import type { JsonObject } from '../../src/envoy/resource';
import { arr, map, obj, oneOfStrings, str, type ObjectSchema } from '../schema';
import { getObjects, getString, getStringMap, getStrings } from './json';

export const labelSelectorSchema: ObjectSchema = obj(
  {
    matchLabels: map(str({ maxLength: 63 })),
    matchExpressions: arr(
      obj(
        { key: str({ minLength: 1 }), operator: oneOfStrings('In', 'NotIn', 'Exists', 'DoesNotExist'), values: arr(str()) },
        {
          required: ['key', 'operator'],
          check: (e) => {
            const op = getString(e, 'operator');
            const n = getStrings(e, 'values').length;
            if ((op === 'In' || op === 'NotIn') && n === 0) return [{ path: 'values', reason: `must not be empty for operator ${op}` }];
            if ((op === 'Exists' || op === 'DoesNotExist') && n > 0) return [{ path: 'values', reason: `must be empty for operator ${op}` }];
            return [];
          },
        },
      ),
    ),
  },
  {},
);

/** An empty selector ({}) selects everything, as in Kubernetes. */
export function selectorMatches(selector: JsonObject, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(getStringMap(selector, 'matchLabels'))) {
    if (labels[k] !== v) return false;
  }
  for (const e of getObjects(selector, 'matchExpressions')) {
    const key = getString(e, 'key') ?? '';
    const values = getStrings(e, 'values');
    const present = Object.prototype.hasOwnProperty.call(labels, key);
    switch (getString(e, 'operator')) {
      case 'In':
        if (!present || !values.includes(labels[key]!)) return false;
        break;
      case 'NotIn':
        if (present && values.includes(labels[key]!)) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
