// What one resource refers to by name, collected while the validator walks it (a MessageVisitor
// keyed on message types, so references inside typed_config are found wherever they sit).
import { fieldPath, type RawIssue } from '../issue';
import { isJsonRecord, type JsonRecord, type MessageVisitor } from '../walker';
import { HTTP_CONNECTION_MANAGER, httpFilterIssues } from './http-filters';

export type ReferenceKind = 'cluster' | 'route_configuration' | 'secret';

export interface Reference {
  readonly kind: ReferenceKind;
  readonly name: string;
  /** Path of the field holding the name. */
  readonly path: string;
}

export interface ResourceFacts {
  readonly references: Reference[];
  /** Semantic issues found inside the resource itself (HTTP filter chains). */
  readonly issues: RawIssue[];
}

/** xDS sources name clusters of the bootstrap (e.g. xds_cluster), not of the snapshot. */
const CONFIG_SOURCES = new Set(['envoy.config.core.v3.ConfigSource', 'envoy.config.core.v3.ApiConfigSource']);

function str(json: JsonRecord, name: string): string | undefined {
  const value = json[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** An ADS config source: {"ads": {}} (or its camelCase spelling). */
function isAdsSource(source: unknown): boolean {
  return isJsonRecord(source) && isJsonRecord(source['ads']);
}

/** Every type the visitor below has a case for (keep the two in step). */
const VISITED_TYPES: ReadonlySet<string> = new Set([
  HTTP_CONNECTION_MANAGER,
  'envoy.config.route.v3.RouteAction',
  'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
  'envoy.config.route.v3.WeightedCluster.ClusterWeight',
  'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.WeightedCluster.ClusterWeight',
  'envoy.config.route.v3.RouteAction.RequestMirrorPolicy',
  'envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig',
  'envoy.config.core.v3.GrpcService.EnvoyGrpc',
  'envoy.config.core.v3.HttpUri',
]);

export function collectFacts(): { visitor: MessageVisitor; facts: ResourceFacts } {
  const facts: ResourceFacts = { references: [], issues: [] };
  const ref = (kind: ReferenceKind, name: string | undefined, path: string): void => {
    if (name !== undefined) facts.references.push({ kind, name, path });
  };
  const visit = (type: string, json: JsonRecord, path: string, ancestors: readonly string[]): void => {
    switch (type) {
      case HTTP_CONNECTION_MANAGER: {
        facts.issues.push(...httpFilterIssues(json, path));
        const rds = json['rds'];
        if (isJsonRecord(rds) && isAdsSource(rds['config_source'] ?? rds['configSource'])) {
          ref('route_configuration', str(rds, 'route_config_name') ?? str(rds, 'routeConfigName'), fieldPath(fieldPath(path, 'rds'), 'route_config_name'));
        }
        return;
      }
      case 'envoy.config.route.v3.RouteAction':
      case 'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy':
        ref('cluster', str(json, 'cluster'), fieldPath(path, 'cluster'));
        return;
      case 'envoy.config.route.v3.WeightedCluster.ClusterWeight':
      case 'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.WeightedCluster.ClusterWeight':
        ref('cluster', str(json, 'name'), fieldPath(path, 'name'));
        return;
      case 'envoy.config.route.v3.RouteAction.RequestMirrorPolicy':
        ref('cluster', str(json, 'cluster'), fieldPath(path, 'cluster'));
        return;
      case 'envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig': {
        const source = json['sds_config'] ?? json['sdsConfig'];
        if (source === undefined || source === null || isAdsSource(source)) ref('secret', str(json, 'name'), fieldPath(path, 'name'));
        return;
      }
      case 'envoy.config.core.v3.GrpcService.EnvoyGrpc':
        if (!ancestors.some((a) => CONFIG_SOURCES.has(a))) ref('cluster', str(json, 'cluster_name') ?? str(json, 'clusterName'), fieldPath(path, 'cluster_name'));
        return;
      case 'envoy.config.core.v3.HttpUri':
        if (!ancestors.some((a) => CONFIG_SOURCES.has(a))) ref('cluster', str(json, 'cluster'), fieldPath(path, 'cluster'));
        return;
      default:
        return;
    }
  };
  const visitor: MessageVisitor = Object.assign(visit, { types: VISITED_TYPES });
  return { visitor, facts };
}
