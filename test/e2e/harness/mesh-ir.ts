// IR of a mesh workload built directly, in the shape translators/istio produces from ServiceEntry,
// WorkloadEntry, DestinationRule and VirtualService (Istio's cluster names), for end-to-end tests of
// the proxyless view that need IR no Istio document yields (e.g. a subset per test backend): the sidecar of
// demo/frontend calling catalog (subsets v1, v2, and a flaky subset) on port 8080.
import type { Cluster } from '../../../src/ir/cluster';
import type { Route } from '../../../src/ir/route';
import type { Proxy, Source } from '../../../src/ir/types';
import type { Backend } from './backends';

export const CATALOG_HOST = 'catalog.demo.svc.cluster.local';
export const CATALOG_PORT = 8080;

const VS: Source = { kind: 'VirtualService', namespace: 'demo', name: 'catalog' };

export function subsetCluster(subset: string, backend: Backend, mtls?: { readonly expectedSpiffeIds: readonly string[] }): Cluster {
  return {
    name: `outbound|${CATALOG_PORT}|${subset}|${CATALOG_HOST}`,
    discovery: { type: 'static', endpoints: [{ address: backend.host, port: backend.port, labels: { app: 'catalog', version: subset } }] },
    http2: true,
    ...(mtls ? { tls: { mesh: mtls } } : {}),
    source: { kind: 'DestinationRule', namespace: 'demo', name: 'catalog', section: `subsets[${subset}]` },
  };
}

export interface CatalogRoutes {
  /** Weights of subsets v1 and v2 for ordinary calls. */
  readonly split: readonly [number, number];
  /** Percentage of calls with header x-fault aborted with ABORTED (gRPC status 10). */
  readonly faultPercent: number;
}

/** The VirtualService's routes, first match wins: canary header, fault, flaky with and without retries, split. */
function catalogRoutes(spec: CatalogRoutes): Route[] {
  const cluster = (subset: string): string => `outbound|${CATALOG_PORT}|${subset}|${CATALOG_HOST}`;
  const prefix = { type: 'StringPrefix', value: '/' } as const;
  return [
    {
      name: 'demo/catalog/canary',
      match: { path: prefix, headers: [{ name: 'x-canary', type: 'Exact', value: 'true' }] },
      action: { type: 'forward', backends: [{ cluster: cluster('v2'), weight: 1 }] },
      source: { ...VS, section: 'http[0]' },
    },
    {
      name: 'demo/catalog/fault',
      match: { path: prefix, headers: [{ name: 'x-fault', type: 'Present' }] },
      action: { type: 'forward', backends: [{ cluster: cluster('v1'), weight: 1 }] },
      policy: { fault: { abort: { grpcStatus: 10, percent: spec.faultPercent } } },
      source: { ...VS, section: 'http[1]' },
    },
    {
      name: 'demo/catalog/flaky-retried',
      match: { path: prefix, headers: [{ name: 'x-flaky', type: 'Exact', value: 'retry' }] },
      action: {
        type: 'forward',
        backends: [{ cluster: cluster('flaky'), weight: 1 }],
        retry: { attempts: 3, retryOn: ['unavailable'], backoff: { baseIntervalMs: 5, maxIntervalMs: 20 } },
      },
      source: { ...VS, section: 'http[2]' },
    },
    {
      name: 'demo/catalog/flaky',
      match: { path: prefix, headers: [{ name: 'x-flaky', type: 'Exact', value: 'plain' }] },
      action: { type: 'forward', backends: [{ cluster: cluster('flaky'), weight: 1 }] },
      source: { ...VS, section: 'http[3]' },
    },
    {
      name: 'demo/catalog/split',
      match: { path: prefix },
      action: {
        type: 'forward',
        backends: [
          { cluster: cluster('v1'), weight: spec.split[0] },
          { cluster: cluster('v2'), weight: spec.split[1] },
        ],
        timeoutMs: 5000,
      },
      source: { ...VS, section: 'http[4]' },
    },
  ];
}

/** The sidecar proxy group of workload demo/frontend (explicit capture, one egress port). */
export function frontendProxy(clusters: readonly Cluster[], routes: CatalogRoutes): Proxy {
  return {
    name: 'sidecar/demo/frontend',
    kind: 'sidecar',
    listeners: [],
    clusters: [...clusters],
    secrets: [],
    mesh: {
      workload: {
        name: 'demo/frontend',
        namespace: 'demo',
        labels: { app: 'frontend' },
        identity: { trustDomain: 'cluster.local', namespace: 'demo', serviceAccount: 'frontend' },
      },
      captureMode: 'explicit',
      inbound: [],
      outbound: [
        {
          name: `outbound|${CATALOG_PORT}`,
          address: '127.0.0.1',
          port: CATALOG_PORT,
          protocol: 'GRPC',
          virtualHosts: [
            {
              name: `${CATALOG_HOST}:${CATALOG_PORT}`,
              domains: ['catalog', 'catalog.demo', CATALOG_HOST],
              routes: catalogRoutes(routes),
            },
          ],
          source: { kind: 'Sidecar', namespace: 'demo', name: 'frontend' },
        },
      ],
    },
  };
}
