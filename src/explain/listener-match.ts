// Step 1: the listener that accepts a connection to the port. A listener bound to the exact
// destination address wins over one bound to 0.0.0.0 / ::, as with the kernel's socket lookup.
import type { JsonObject } from '../envoy/resource';
import { isWildcardAddress, parseIp } from './cidr';
import { num, obj, objs, str } from './json';
import type { Trace } from './trace';

export interface ListenerMatch {
  readonly listener: JsonObject;
  readonly name: string;
  readonly address: string;
  readonly port: number;
}

function socketAddresses(listener: JsonObject): { address: string; port: number }[] {
  const out: { address: string; port: number }[] = [];
  const push = (addr: JsonObject | undefined): void => {
    const sa = obj(addr, 'socket_address');
    if (!sa) return;
    out.push({ address: str(sa, 'address') ?? '0.0.0.0', port: num(sa, 'port_value') ?? 0 });
  };
  push(obj(listener, 'address'));
  for (const extra of objs(listener, 'additional_addresses')) push(obj(extra, 'address'));
  return out;
}

function sameIp(a: string, b: string): boolean {
  const x = parseIp(a);
  const y = parseIp(b);
  return x !== undefined && y !== undefined && x.length === y.length && x.every((v, i) => v === y[i]);
}

export function matchListener(listeners: readonly JsonObject[], port: number, destinationIp: string | undefined, trace: Trace): ListenerMatch | undefined {
  const candidates: ListenerMatch[] = [];
  for (const listener of listeners) {
    for (const sa of socketAddresses(listener)) {
      if (sa.port === port) candidates.push({ listener, name: str(listener, 'name') ?? '', address: sa.address, port });
    }
  }
  if (candidates.length === 0) {
    const ports = listeners.flatMap((l) => socketAddresses(l).map((a) => a.port));
    trace.step(`listener: nothing listens on port ${port}${ports.length > 0 ? ` (listeners are on ${[...new Set(ports)].sort((a, b) => a - b).join(', ')})` : ' (no listeners)'}`);
    return undefined;
  }
  let chosen: ListenerMatch | undefined;
  if (destinationIp !== undefined) {
    chosen = candidates.find((c) => sameIp(c.address, destinationIp)) ?? candidates.find((c) => isWildcardAddress(c.address));
    if (!chosen) {
      trace.step(`listener: port ${port} is bound only to ${candidates.map((c) => c.address).join(', ')}, not to ${destinationIp}`);
      return undefined;
    }
  } else {
    chosen = candidates.find((c) => isWildcardAddress(c.address)) ?? candidates[0]!;
    if (candidates.length > 1 && !isWildcardAddress(chosen.address)) {
      trace.assume(`several listeners use port ${port} on specific addresses; explain picked ${chosen.address} (give destinationIp to choose)`);
    }
  }
  trace.step(`listener: "${chosen.name}" on ${chosen.address}:${port}`);
  return chosen;
}
