// Which snapshot group a proxy reads. The default: the node metadata key "meshgate_group" when it is
// a non-empty string, else the node's cluster (Envoy's --service-cluster), else "default".
// A proxyless gRPC node (metadata "meshgate_proxyless": true or "true") reads the proxyless view of
// that group instead: "grpc:<group>" (src/xds/proxyless), which is served while such a node reads it
// (src/pipeline/proxyless-demand.ts).
import type { NodeInfo } from '../server/observer';
import { PROXYLESS_METADATA_KEY, proxylessGroupOf } from '../xds/proxyless/names';

export type NodeGroupResolver = (node: NodeInfo) => string;

export const DEFAULT_GROUP = 'default';
export const GROUP_METADATA_KEY = 'meshgate_group';

function baseGroupOf(node: NodeInfo): string {
  const fromMetadata = node.metadata[GROUP_METADATA_KEY];
  if (typeof fromMetadata === 'string' && fromMetadata !== '') return fromMetadata;
  if (node.cluster !== '') return node.cluster;
  return DEFAULT_GROUP;
}

/** gRPC bootstraps carry metadata as JSON: accept the boolean and the string form. */
export function isProxylessNode(node: NodeInfo): boolean {
  const flag = node.metadata[PROXYLESS_METADATA_KEY];
  return flag === true || flag === 'true';
}

export const defaultNodeGroupResolver: NodeGroupResolver = (node) => {
  const group = baseGroupOf(node);
  return isProxylessNode(node) ? proxylessGroupOf(group) : group;
};
