// gRPC's own verdict on resources: runs grpc-js-xds's resource validation (the code that decides
// between ACK and NACK in a real client or xDS-enabled server) on meshgate's output, in-process.
// RBAC is only understood with GRPC_XDS_EXPERIMENTAL_RBAC=true, read when grpc-js-xds loads, so
// this module sets it before loading the package (each test file runs in its own process).
import type { EnvoyResource } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';
import { encodeMessage } from '../../src/envoy/codec';
import { messageNameOf } from '../../src/envoy/type-urls';
import { CERTIFICATE_PROVIDER_INSTANCE } from '../../src/xds/proxyless';

interface DecodeResult {
  readonly name: string;
  readonly error?: string;
}

interface ResourceTypeModule {
  readonly get: () => { decode(context: unknown, resource: { type_url: string; value: Buffer }): DecodeResult };
}

process.env['GRPC_XDS_EXPERIMENTAL_RBAC'] = 'true';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const grpcXds = require('@grpc/grpc-js-xds') as { register(): void };
grpcXds.register();

function resourceType(file: string, exportName: string): ResourceTypeModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(`@grpc/grpc-js-xds/build/src/xds-resource-type/${file}`) as Record<string, ResourceTypeModule>;
  const type = mod[exportName];
  if (!type) throw new Error(`grpc-js-xds has no ${exportName} in ${file}`);
  return type;
}

const TYPES: Readonly<Record<string, ResourceTypeModule>> = {
  [TypeUrl.Listener]: resourceType('listener-resource-type', 'ListenerResourceType'),
  [TypeUrl.RouteConfiguration]: resourceType('route-config-resource-type', 'RouteConfigurationResourceType'),
  [TypeUrl.Cluster]: resourceType('cluster-resource-type', 'ClusterResourceType'),
  [TypeUrl.ClusterLoadAssignment]: resourceType('endpoint-resource-type', 'EndpointResourceType'),
};

/** A bootstrap that defines the certificate provider instance the mesh resources name. */
const CONTEXT = {
  server: { serverUri: '127.0.0.1:1', channelCreds: [{ type: 'insecure' }], serverFeatures: ['xds_v3'] },
  bootstrap: {
    certificateProviders: {
      [CERTIFICATE_PROVIDER_INSTANCE]: { pluginName: 'file_watcher', config: {} },
    },
  },
};

/** What gRPC would say to each resource: "" when it accepts it, else its NACK message. */
export function grpcRejections(resources: readonly EnvoyResource[]): string[] {
  const out: string[] = [];
  for (const r of resources) {
    const type = TYPES[r.typeUrl];
    if (!type) {
      out.push(`${r.name}: gRPC does not take ${r.typeUrl}`);
      continue;
    }
    const value = Buffer.from(encodeMessage(messageNameOf(r.typeUrl), r.json));
    const result = type.get().decode(CONTEXT, { type_url: r.typeUrl, value });
    if (result.error !== undefined) out.push(`${r.name}: ${result.error}`);
  }
  return out;
}
