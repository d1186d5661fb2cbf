// The bench's input: one Gateway "edge" and N HTTPRoutes, each with its own hostname and its own
// meshgate Backend (two static endpoints, served over EDS), and a policy on every 10th route
// (alternately a TrafficPolicy with a local rate limit and a SecurityPolicy with CORS and an IP
// allow list), so policies are resolved and filters emitted the way a real tenant mix needs.
import type { DocumentRef, InputDocument } from '../src/documents/types';

export const GATEWAY_GROUP = 'gateway/default/edge';
const NAMESPACE = 'default';

/** Frozen all the way down, like the documents the store keeps (and hands to compile()). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function doc(apiVersion: string, kind: string, name: string, spec: InputDocument['spec']): InputDocument {
  return deepFreeze({ apiVersion, kind, metadata: { name, namespace: NAMESPACE }, spec });
}

/** GatewayClass and Gateway: what stays when the routes come and go. */
export function baseDocuments(): InputDocument[] {
  return [
    doc('gateway.networking.k8s.io/v1', 'GatewayClass', 'meshgate', { controllerName: 'meshgate.io/gateway-controller' }),
    doc('gateway.networking.k8s.io/v1', 'Gateway', 'edge', {
      gatewayClassName: 'meshgate',
      listeners: [{ name: 'http', port: 8080, protocol: 'HTTP' }],
    }),
  ];
}

export function routeName(i: number): string {
  return `route-${i}`;
}

export function routeHost(i: number): string {
  return `r${i}.bench.example.com`;
}

/** One tenant's HTTPRoute; `variant` changes its path prefix (the "one-route change"). */
export function httpRoute(i: number, variant = 0): InputDocument {
  return doc('gateway.networking.k8s.io/v1', 'HTTPRoute', routeName(i), {
    parentRefs: [{ name: 'edge' }],
    hostnames: [routeHost(i)],
    rules: [
      {
        name: 'main',
        matches: [{ path: { type: 'PathPrefix', value: variant === 0 ? '/' : `/v${variant}` } }],
        timeouts: { request: '15s' },
        backendRefs: [{ group: 'meshgate.io', kind: 'Backend', name: `svc-${i}` }],
      },
    ],
  });
}

function backend(i: number): InputDocument {
  const a = (i >> 8) & 0xff;
  const b = i & 0xff;
  return doc('meshgate.io/v1alpha1', 'Backend', `svc-${i}`, {
    endpoints: [
      { address: `10.${a}.${b}.10`, port: 8080 },
      { address: `10.${a}.${b}.11`, port: 8080 },
    ],
  });
}

function policy(i: number): InputDocument | undefined {
  if (i % 10 !== 0) return undefined;
  const targetRefs = [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: routeName(i) }];
  if (i % 20 === 0) {
    return doc('meshgate.io/v1alpha1', 'TrafficPolicy', `limit-${i}`, {
      targetRefs,
      rateLimit: { local: { requests: 100 + i, per: '1s', key: 'clientIP' } },
    });
  }
  return doc('meshgate.io/v1alpha1', 'SecurityPolicy', `guard-${i}`, {
    targetRefs,
    cors: { allowOrigins: [`https://app${i}.example.com`], allowMethods: ['GET', 'POST'], maxAge: 600 },
    ipAccess: { allow: ['10.0.0.0/8', '192.168.0.0/16'] },
  });
}

/** Everything route i brings: its HTTPRoute, its Backend and (every 10th) its policy. */
export function tenantDocuments(i: number): InputDocument[] {
  const p = policy(i);
  return [httpRoute(i), backend(i), ...(p ? [p] : [])];
}

export function routeDocuments(count: number): InputDocument[] {
  const out: InputDocument[] = [];
  for (let i = 0; i < count; i++) out.push(...tenantDocuments(i));
  return out;
}

export function refOfDocument(d: InputDocument): DocumentRef {
  return { kind: d.kind, namespace: d.metadata.namespace, name: d.metadata.name };
}
