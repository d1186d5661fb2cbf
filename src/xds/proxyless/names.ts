// Names shared by the proxyless gRPC view, the group resolver and the bootstraps users write.
// A gRPC client or xDS-enabled server (grpc-js-xds, grpc-java, grpc-go) announces itself with node
// metadata `meshgate_proxyless: true`; it then reads the group `grpc:<group>`, built from the same
// IR Proxy as the Envoy group `<group>` but holding only what gRPC's xDS client accepts.

/** Node metadata key marking a proxyless gRPC node (value true or "true"). */
export const PROXYLESS_METADATA_KEY = 'meshgate_proxyless';

/** Cache group of the proxyless view of a group: "grpc:<group>". */
export const PROXYLESS_GROUP_PREFIX = 'grpc:';

export function proxylessGroupOf(group: string): string {
  return PROXYLESS_GROUP_PREFIX + group;
}

/**
 * What an xDS-enabled gRPC server's bootstrap must set as `server_listener_resource_name_template`;
 * the server substitutes the address it binds ("0.0.0.0:9080") for %s.
 */
export const SERVER_LISTENER_NAME_TEMPLATE = 'grpc/server?xds.resource.listening_address=%s';

/** The Listener an xDS-enabled server binding 0.0.0.0:<port> asks for. */
export function serverListenerName(port: number): string {
  return SERVER_LISTENER_NAME_TEMPLATE.replace('%s', `0.0.0.0:${port}`);
}

/**
 * The bootstrap `certificate_providers` instance proxyless mesh workloads must define (plugin
 * file_watcher: certificate_file, private_key_file, ca_certificate_file), as Istio's proxyless
 * bootstrap names it. One instance supplies both the workload certificate (certificate name
 * "default") and the trust bundle ("ROOTCA"), the names Envoy sidecars use for their SDS secrets.
 */
export const CERTIFICATE_PROVIDER_INSTANCE = 'default';

/**
 * The cluster that routes gRPC cannot express (redirects, direct responses, backends that cannot
 * be used) point at: it has no endpoints, and the route's fault filter aborts every call first
 * with the HTTP status Envoy would have answered, which gRPC maps to a status code.
 */
export const UNAVAILABLE_CLUSTER = 'meshgate/proxyless-unavailable';

/** The fault filter's name in the client HCM; per-route HTTPFault configs are keyed by it. */
export const FAULT_FILTER = 'envoy.filters.http.fault';
