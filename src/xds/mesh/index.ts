// The sidecar part of a proxy's Envoy resources (Proxy.mesh): inbound and outbound listeners with
// their route tables, the inbound clusters to the local app and, with transparent capture, the
// virtualOutbound/virtualInbound listeners. Outbound clusters are ordinary IR clusters (src/xds/clusters.ts).
import type { EnvoyResource } from '../../envoy/resource';
import type { Proxy } from '../../ir/types';
import { XdsBuildError } from '../errors';
import { inboundResources } from './inbound';
import { outboundResources } from './outbound';
import { transparentResources } from './transparent';

export { FAULT_FILTER } from './fault-filter';
export * from './names';

export function buildMeshResources(proxy: Proxy): EnvoyResource[] {
  const mesh = proxy.mesh;
  if (!mesh) return [];
  const transparent = mesh.captureMode === 'transparent';
  const out: EnvoyResource[] = [];
  for (const inbound of mesh.inbound) {
    const address = transparent ? mesh.workload.address ?? '0.0.0.0' : '0.0.0.0';
    out.push(...inboundResources(proxy, inbound, address, !transparent));
  }
  for (const outbound of mesh.outbound) {
    out.push(...outboundResources(proxy, outbound, transparent ? '0.0.0.0' : outbound.address, !transparent));
  }
  if (transparent && (mesh.inbound.length > 0 || mesh.outbound.length > 0)) out.push(...transparentResources(mesh));
  const seen = new Map<string, EnvoyResource>();
  for (const r of out) {
    const key = `${r.typeUrl}|${r.name}`;
    if (seen.has(key)) throw new XdsBuildError(`sidecar ${proxy.name}: two ${r.typeUrl.split('.').pop()} resources are named "${r.name}" (an inbound and an outbound port, or two listeners, share an address and port)`);
    seen.set(key, r);
  }
  return out;
}
