// Istio API groups, versions and kinds meshgate reads, and the Istio constants the translator
// relies on (root namespace, default trust domain, DNS suffix of short names).
import type { InputDocument } from '../../src/documents/types';
import { groupOf } from '../../src/documents/types';

export const NETWORKING_GROUP = 'networking.istio.io';
export const SECURITY_GROUP = 'security.istio.io';
export const ISTIO_GROUPS: readonly string[] = [NETWORKING_GROUP, SECURITY_GROUP];

/** Every networking kind is served in the three versions Istio still accepts. */
export const NETWORKING_VERSIONS: readonly string[] = ['v1', 'v1beta1', 'v1alpha3'].map((v) => `${NETWORKING_GROUP}/${v}`);

export const NETWORKING_KINDS = ['VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'WorkloadEntry', 'Sidecar'] as const;
export type NetworkingKind = (typeof NETWORKING_KINDS)[number];

/** Mesh-wide configuration lives here (Istio's default root namespace). */
export const ROOT_NAMESPACE = 'istio-system';
/** The trust domain when none is configured (TranslateOptions.trustDomain, the CA's --trust-domain). */
export const DEFAULT_TRUST_DOMAIN = 'cluster.local';
/** "orders" in namespace "demo" is "orders.demo.svc.cluster.local". */
export const CLUSTER_DNS_SUFFIX = 'svc.cluster.local';

/** Defensive: documents reach owns() before any schema check. */
export function isIstioDocument(doc: InputDocument | null): boolean {
  if (typeof doc !== 'object' || doc === null) return false;
  const apiVersion: unknown = (doc as { apiVersion?: unknown }).apiVersion;
  return typeof apiVersion === 'string' && ISTIO_GROUPS.includes(groupOf(apiVersion));
}

export function isSecurityDocument(doc: InputDocument): boolean {
  return typeof doc.apiVersion === 'string' && groupOf(doc.apiVersion) === SECURITY_GROUP;
}
