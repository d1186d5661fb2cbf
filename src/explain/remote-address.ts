// The client address the HTTP connection manager settles on (what RBAC remote_ip and rate limit
// remote_address see), from the peer address and X-Forwarded-For as Envoy's
// ConnectionManagerUtility does: with use_remote_address, the peer unless xff_num_trusted_hops > 0
// (then the Nth address from the right of XFF); without it, the (hops+1)th from the right of XFF,
// falling back to the peer.
import type { JsonObject } from '../envoy/resource';
import { parseIp } from './cidr';
import { bool, num } from './json';
import { headerValue, type RequestView } from './request-view';

function fromXff(view: RequestView, skip: number): string | undefined {
  const xff = headerValue(view, 'x-forwarded-for');
  if (xff === undefined) return undefined;
  const entries = xff.split(',');
  const i = entries.length - 1 - skip;
  if (i < 0) return undefined;
  const candidate = entries[i]!.trim();
  return parseIp(candidate) ? candidate : undefined;
}

export function remoteAddress(hcm: JsonObject, view: RequestView): string | undefined {
  const hops = num(hcm, 'xff_num_trusted_hops') ?? 0;
  if (bool(hcm, 'use_remote_address') === true) {
    return (hops > 0 ? fromXff(view, hops - 1) : undefined) ?? view.peerIp;
  }
  return fromXff(view, hops) ?? view.peerIp;
}
