// Type URLs of the resources meshgate serves, and the order in which ADS sends them.
export const TYPE_PREFIX = 'type.googleapis.com/';

export const TypeUrl = {
  Listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  RouteConfiguration: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  Cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  ClusterLoadAssignment: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  Secret: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
} as const;

export type ResourceTypeUrl = (typeof TypeUrl)[keyof typeof TypeUrl];

export const RESOURCE_TYPE_URLS: readonly ResourceTypeUrl[] = Object.values(TypeUrl);

/**
 * Make-before-break order for ADS pushes (XDS-PROTOCOL rule 12): clusters, then their endpoints,
 * then listeners, then routes, then secrets.
 */
export const PUSH_ORDER: readonly ResourceTypeUrl[] = [
  TypeUrl.Cluster,
  TypeUrl.ClusterLoadAssignment,
  TypeUrl.Listener,
  TypeUrl.RouteConfiguration,
  TypeUrl.Secret,
];

/** Short names used by the admin API and CLI output (as in Envoy's config_dump sections). */
export const TYPE_GROUP_NAME: Record<ResourceTypeUrl, 'listeners' | 'routes' | 'clusters' | 'endpoints' | 'secrets'> = {
  [TypeUrl.Listener]: 'listeners',
  [TypeUrl.RouteConfiguration]: 'routes',
  [TypeUrl.Cluster]: 'clusters',
  [TypeUrl.ClusterLoadAssignment]: 'endpoints',
  [TypeUrl.Secret]: 'secrets',
};

export function isResourceTypeUrl(url: string): url is ResourceTypeUrl {
  return (RESOURCE_TYPE_URLS as readonly string[]).includes(url);
}

/** "type.googleapis.com/envoy.config.cluster.v3.Cluster" → "envoy.config.cluster.v3.Cluster". */
export function messageNameOf(typeUrl: string): string {
  const slash = typeUrl.lastIndexOf('/');
  return slash >= 0 ? typeUrl.slice(slash + 1) : typeUrl;
}

export function typeUrlOf(messageName: string): string {
  return TYPE_PREFIX + messageName;
}
