// Outbound side of a sidecar: one listener per egress port. HTTP ports reuse the gateway
// pipeline (plan → filter chain → HCM with the registry's filters, fault included → RDS named like
// the IR listener, e.g. "outbound|8080"), so every route feature works the same east-west. TCP
// ports forward every connection to their one cluster.
import type { EnvoyResource, JsonObject } from '../../envoy/resource';
import { TypeUrl } from '../../envoy/type-urls';
import type { OutboundListener } from '../../ir/mesh';
import type { Listener, Proxy } from '../../ir/types';
import { XdsBuildError } from '../errors';
import { buildListener } from '../listener';
import { compact } from '../json';
import { listenerName as listenerNameOf, planListeners } from '../plan';
import { tcpProxy } from './network-filters';

const OUTBOUND_OPTIONS: Listener['options'] = {
  accessLog: true,
  requestId: { generate: true, preserveExternal: true, returnInResponse: false },
  websocket: true,
  http2: true,
};

/** The IR listener an HTTP outbound listener is planned from (the proxyless view plans the same). */
export function outboundIrListener(outbound: OutboundListener, address: string): Listener {
  return {
    name: outbound.name,
    address,
    port: outbound.port,
    protocol: 'HTTP',
    hostnames: [],
    virtualHosts: outbound.virtualHosts,
    options: OUTBOUND_OPTIONS,
    source: outbound.source,
  };
}

export function outboundResources(proxy: Proxy, outbound: OutboundListener, address: string, bindToPort: boolean): EnvoyResource[] {
  const name = listenerNameOf(address, outbound.port);
  const extras = { bind_to_port: bindToPort ? undefined : false, traffic_direction: 'OUTBOUND' };
  if (outbound.protocol === 'TCP') {
    if (!outbound.tcpCluster) throw new XdsBuildError(`TCP outbound listener ${outbound.name} names no cluster`, outbound.source);
    const listener = compact({
      name,
      address: { socket_address: { address, port_value: outbound.port } },
      filter_chains: [{ name: outbound.name, filters: [tcpProxy(outbound.name, outbound.tcpCluster)] }],
      ...extras,
    });
    return [{ typeUrl: TypeUrl.Listener, name, json: listener }];
  }
  const plan = planListeners([outboundIrListener(outbound, address)])[0]!;
  const built = buildListener(proxy, plan);
  const listener: JsonObject = compact({ ...built.listener, ...extras });
  return [
    { typeUrl: TypeUrl.Listener, name, json: listener },
    ...built.routeConfigurations.map((r) => ({ typeUrl: TypeUrl.RouteConfiguration, name: String(r['name']), json: r })),
  ];
}
