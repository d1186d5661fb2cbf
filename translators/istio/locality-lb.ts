// Istio's locality load balancing (DestinationRule loadBalancer.localityLbSetting), resolved for
// one calling proxy: the caller's locality decides which endpoints are near, so each sidecar
// group gets its own priorities and weights (proxies in the same locality get the same ones).
// - distribute: the first entry whose `from` matches the caller gives each endpoint locality the
//   share of its `to` entry, split over the localities it matches by their endpoint weights
//   (rounded up, as Istio does); localities no `to` entry matches get no traffic.
// - otherwise, only with outlier detection (without it Envoy never sees endpoints fail, so Istio
//   configures no failover): priority by proximity, 0 same region/zone/subzone, 1 same zone,
//   2 same region, 3 elsewhere; `failover` from the caller's region puts its `to` region at 3 and
//   every other region at 4; the priorities are then renumbered from 0 without gaps, as Envoy needs.
// - `enabled: false` turns all of it off. The mesh default (Istio's) is enabled.
import type { JsonObject } from '../../src/envoy/resource';
import type { Endpoint, Locality, LocalityLoadBalancing, LocalityRank } from '../../src/ir/cluster';
import { getBoolean, getObject, getObjects, getString } from '../core/json';

export interface LocalityChoice {
  /** The endpoints that may get traffic (distribute leaves out localities with no share). */
  readonly endpoints: readonly Endpoint[];
  readonly localityLb?: LocalityLoadBalancing;
}

/** Istio's LocalityMatch: each segment of "region/zone/subzone" equal, "*" or left out matches anything. */
export function localityMatches(rule: string, locality: Locality | undefined): boolean {
  const [region, zone, subZone] = rule.split('/');
  const segment = (want: string | undefined, have: string | undefined, optional: boolean): boolean => want === '*' || (optional && (want === undefined || want === '')) || want === (have ?? '');
  return segment(region, locality?.region, false) && segment(zone, locality?.zone, true) && segment(subZone, locality?.subZone, true);
}

/** Istio's LbPriority of an endpoint locality seen from the caller's. */
export function proximity(caller: Locality, endpoint: Locality | undefined): number {
  if ((caller.region ?? '') !== (endpoint?.region ?? '')) return 3;
  if ((caller.zone ?? '') !== (endpoint?.zone ?? '')) return 2;
  return (caller.subZone ?? '') !== (endpoint?.subZone ?? '') ? 1 : 0;
}

function keyOf(l: Locality | undefined): string {
  return [l?.region ?? '', l?.zone ?? '', l?.subZone ?? ''].join('/');
}

interface LocalityGroup {
  readonly locality: Locality | undefined;
  readonly weight: number;
}

/** The endpoints' localities (sorted, so equal inputs give equal output) and their endpoint weights. */
function groupsOf(endpoints: readonly Endpoint[]): Map<string, LocalityGroup> {
  const groups = new Map<string, LocalityGroup>();
  for (const e of endpoints) {
    const key = keyOf(e.locality);
    groups.set(key, { locality: e.locality, weight: (groups.get(key)?.weight ?? 0) + (e.weight ?? 1) });
  }
  return new Map([...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function rank(locality: Locality | undefined, priority: number, weight?: number): LocalityRank {
  return { locality: locality ?? {}, priority, ...(weight !== undefined ? { weight } : {}) };
}

function distribute(entry: JsonObject, endpoints: readonly Endpoint[]): LocalityChoice {
  const groups = groupsOf(endpoints);
  const weights = new Map<string, number>();
  // Object key order is the document's, so a locality two `to` keys match goes to the first.
  for (const [to, share] of Object.entries(getObject(entry, 'to') ?? {})) {
    if (typeof share !== 'number') continue;
    const matched = [...groups.entries()].filter(([key, g]) => !weights.has(key) && localityMatches(to, g.locality));
    const total = matched.reduce((sum, [, g]) => sum + g.weight, 0);
    for (const [key, g] of matched) weights.set(key, Math.max(1, Math.ceil((g.weight * share) / total)));
  }
  const localities = [...groups.entries()].filter(([key]) => weights.has(key)).map(([key, g]) => rank(g.locality, 0, weights.get(key)));
  return { endpoints: endpoints.filter((e) => weights.has(keyOf(e.locality))), localityLb: { weighted: true, localities } };
}

function failover(setting: JsonObject | undefined, caller: Locality, endpoints: readonly Endpoint[]): LocalityChoice {
  const groups = groupsOf(endpoints);
  const rule = getObjects(setting, 'failover').find((f) => getString(f, 'from') === (caller.region ?? ''));
  const raw = new Map<string, number>();
  for (const [key, g] of groups) {
    const p = proximity(caller, g.locality);
    raw.set(key, p === 3 && rule && (g.locality?.region ?? '') !== getString(rule, 'to') ? 4 : p);
  }
  const order = [...new Set(raw.values())].sort((a, b) => a - b);
  if (order.length <= 1) return { endpoints };
  const localities = [...groups.entries()].map(([key, g]) => rank(g.locality, order.indexOf(raw.get(key)!)));
  return { endpoints, localityLb: { weighted: false, localities } };
}

/**
 * The endpoints and locality balancing of one cluster for a caller. `setting` is the effective
 * loadBalancer.localityLbSetting (undefined: the mesh default, enabled); a caller without a
 * locality has nothing to be near to and gets none.
 */
export function localityBalancing(setting: JsonObject | undefined, outlierDetection: boolean, caller: Locality | undefined, endpoints: readonly Endpoint[]): LocalityChoice {
  if (!caller || getBoolean(setting, 'enabled') === false) return { endpoints };
  const entries = getObjects(setting, 'distribute');
  if (entries.length > 0) {
    const entry = entries.find((d) => localityMatches(getString(d, 'from') ?? '', caller));
    // No `from` matches: Istio leaves every locality its endpoint weight, i.e. plain balancing.
    return entry ? distribute(entry, endpoints) : { endpoints };
  }
  return outlierDetection ? failover(setting, caller, endpoints) : { endpoints };
}
