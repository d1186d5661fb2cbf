// Which snapshot group a proxy reads. The default: the node metadata key "meshgate_group" when it is
// a non-empty string, else the node's cluster (Envoy's --service-cluster), else "default".
import type { NodeInfo } from '../server/observer';

export type NodeGroupResolver = (node: NodeInfo) => string;

export const DEFAULT_GROUP = 'default';
export const GROUP_METADATA_KEY = 'meshgate_group';

export const defaultNodeGroupResolver: NodeGroupResolver = (node) => {
  const fromMetadata = node.metadata[GROUP_METADATA_KEY];
  if (typeof fromMetadata === 'string' && fromMetadata !== '') return fromMetadata;
  if (node.cluster !== '') return node.cluster;
  return DEFAULT_GROUP;
};
