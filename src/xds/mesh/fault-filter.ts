// Fault injection (Istio VirtualService fault): envoy.filters.http.fault in the HCM, off by
// default, switched on per route by the route's own HTTPFault (the same per-route message the
// proxyless view sends to gRPC clients).
import { typed } from '../json';
import { perRouteInstance } from '../filters/instance';
import type { HttpFilterModule } from '../filters/types';
import { routeFault } from '../proxyless/fault';

export const FAULT_FILTER = 'envoy.filters.http.fault';

export const faultFilter: HttpFilterModule = {
  id: 'fault',
  instances({ chain }) {
    if (!chain.routes.some((r) => r.policy.fault)) return [];
    return [perRouteInstance(FAULT_FILTER, typed('envoy.extensions.filters.http.fault.v3.HTTPFault'), (r) => (r.policy.fault ? routeFault(r.policy.fault) : undefined))];
  },
};
