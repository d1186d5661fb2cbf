// DestinationRule loadBalancer.localityLbSetting, with the rules Istio's validation applies:
// distribute and failover exclude each other, each distribute's weights are 1..100 and add up to
// 100, a locality has at most one "*" and only at its end, failover names two different regions.
import type { SchemaIssue } from '../../schema';
import { arr, bool, int, map, obj, str, type ObjectSchema } from '../../schema';

const LOCALITY = /^[^/*]*(\/[^/*]*){0,2}$|^([^/*]+\/){0,2}\*$/;
const localityPattern = { pattern: LOCALITY, patternHint: 'a locality "region/zone/subzone" with at most one "*", at its end' };
const REGION = { minLength: 1, pattern: /^[^/*]+$/, patternHint: 'a region (failover is region to region: no "/" or "*")' };

const distribute = obj(
  { from: str({ minLength: 1, ...localityPattern }), to: map(int(1, 100)) },
  {
    required: ['from', 'to'],
    check: (d): SchemaIssue[] => {
      const to = d['to'];
      if (typeof to !== 'object' || to === null || Array.isArray(to)) return [];
      const issues: SchemaIssue[] = Object.keys(to)
        .filter((k) => !LOCALITY.test(k))
        .map((k) => ({ path: `to.${k}`, reason: `${JSON.stringify(k)} is not ${localityPattern.patternHint}` }));
      const total = Object.values(to).reduce<number>((sum, w) => sum + (typeof w === 'number' ? w : 0), 0);
      if (total !== 100) issues.push({ path: 'to', reason: `the weights add up to ${total}; they must add up to 100` });
      return issues;
    },
  },
);

const failover = obj(
  { from: str(REGION), to: str(REGION) },
  {
    required: ['from', 'to'],
    check: (f): SchemaIssue[] => (typeof f['from'] === 'string' && f['from'] === f['to'] ? [{ path: 'to', reason: 'failover must name a region other than from' }] : []),
  },
);

export const localityLbSetting: ObjectSchema = obj(
  {
    enabled: bool,
    distribute: arr(distribute),
    failover: arr(failover),
    failoverPriority: arr(str({ minLength: 1 })),
  },
  {
    check: (s): SchemaIssue[] =>
      Array.isArray(s['distribute']) && s['distribute'].length > 0 && Array.isArray(s['failover']) && s['failover'].length > 0
        ? [{ path: 'failover', reason: 'distribute and failover cannot both be set' }]
        : [],
  },
);
