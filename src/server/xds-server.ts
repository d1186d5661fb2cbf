// The xDS server: ADS (SotW and Delta) and the single-type LDS/RDS/CDS/EDS/SDS services, all over
// one stream engine, reading the snapshot cache. Other services (CSDS) join the same grpc.Server
// through addService.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import pino, { type Logger } from 'pino';
import { defaultNodeGroupResolver, type NodeGroupResolver } from '../cache/group-resolver';
import type { SnapshotSource } from '../cache/types';
import { DeltaStream } from './delta-stream';
import { NonceSource } from './nonce';
import type { XdsStreamObserver } from './observer';
import { ObserverFanout } from './observers';
import { grpcServerOptions, type TransportOptions } from './server-options';
import { XDS_SERVICES, xdsServiceDefinition } from './service-definitions';
import { SotwStream } from './sotw-stream';
import type { StreamContext } from './stream-context';
import { NO_SECRET_ACCESS_CHECK, type SecretAccessCheck } from './secret-access';
import { StreamRegistry, type GroupDemand } from './stream-registry';
import { encodeControlPlane, type DeltaRequest, type SotwRequest } from './wire';
import type { XdsCall } from './xds-stream';

export interface XdsServerOptions extends TransportOptions {
  readonly cache: SnapshotSource;
  /** Which snapshot group a proxy reads (default: metadata meshgate_group, else node.cluster, else "default"). */
  readonly resolveGroup?: NodeGroupResolver;
  /** Hears when a group gets its first open stream and loses its last one (before the first one reads it). */
  readonly groupDemand?: GroupDemand;
  readonly observers?: readonly XdsStreamObserver[];
  /** Who may receive a group's Secrets (default: everyone reading the group). */
  readonly secretAccess?: SecretAccessCheck;
  /** Default: silent. */
  readonly logger?: Logger;
  /** control_plane.identifier in every response (default "<hostname>-<pid>"). */
  readonly identifier?: string;
  /** Longest wait of listeners/routes for new clusters' endpoints on ADS (default 1000 ms; 0 disables). */
  readonly warmingGateMs?: number;
  /** Bytes a stream may have queued in gRPC before it stops sending until drained (default 4 MiB). */
  readonly maxPendingBytesPerStream?: number;
  readonly now?: () => number;
}

export interface XdsServerStats {
  /** Open streams (every one registered under a group). */
  readonly streams: number;
  /** Groups with at least one open stream. */
  readonly groups: number;
}

export interface XdsServer {
  readonly server: grpc.Server;
  /** The identifier sent as control_plane.identifier. */
  readonly identifier: string;
  addService(service: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation): void;
  /** Listen on host:port (port 0 picks a free one); resolves to the bound port. */
  bind(host: string, port: number, credentials?: grpc.ServerCredentials): Promise<number>;
  /** Close every stream and stop the server. */
  close(graceMs?: number): Promise<void>;
  stats(): XdsServerStats;
}

export const DEFAULT_WARMING_GATE_MS = 1000;
export const DEFAULT_MAX_PENDING_BYTES_PER_STREAM = 4 * 1024 * 1024;

export function defaultIdentifier(): string {
  return `${hostname()}-${process.pid}`;
}

export function createXdsServer(options: XdsServerOptions): XdsServer {
  const logger = options.logger ?? pino({ level: 'silent' });
  const identifier = options.identifier ?? defaultIdentifier();
  const registry = new StreamRegistry(options.groupDemand, logger);
  const serverTag = randomBytes(3).toString('hex');
  let streamCounter = 0;
  const ctx: StreamContext = {
    snapshots: options.cache,
    resolveGroup: options.resolveGroup ?? defaultNodeGroupResolver,
    secretAccess: options.secretAccess ?? NO_SECRET_ACCESS_CHECK,
    observers: new ObserverFanout(options.observers ?? [], logger),
    logger,
    controlPlane: encodeControlPlane(identifier),
    nonces: new NonceSource(),
    registry,
    warmingGateMs: options.warmingGateMs ?? DEFAULT_WARMING_GATE_MS,
    maxPendingBytes: options.maxPendingBytesPerStream ?? DEFAULT_MAX_PENDING_BYTES_PER_STREAM,
    now: options.now ?? Date.now,
    nextStreamId: () => `${serverTag}-${(++streamCounter).toString(36)}`,
  };

  const server = new grpc.Server(grpcServerOptions(options));
  for (const spec of XDS_SERVICES) {
    const { definition } = xdsServiceDefinition(spec);
    server.addService(definition, {
      [spec.sotwMethod]: (call: XdsCall<SotwRequest>) => new SotwStream(call, ctx, spec.kind, spec.typeUrl),
      [spec.deltaMethod]: (call: XdsCall<DeltaRequest>) => new DeltaStream(call, ctx, spec.kind, spec.typeUrl),
    });
  }
  const unsubscribe = options.cache.subscribe((groups) => registry.groupsChanged(groups));
  let closed = false;

  return {
    server,
    identifier,
    addService: (service, implementation) => server.addService(service, implementation),
    bind: (host, port, credentials = grpc.ServerCredentials.createInsecure()) =>
      new Promise<number>((resolve, reject) => {
        const address = host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
        server.bindAsync(address, credentials, (err, bound) => {
          if (err) reject(err);
          else {
            logger.info({ address, port: bound }, 'xDS server listening');
            resolve(bound);
          }
        });
      }),
    close: async (graceMs = 1000) => {
      if (closed) return;
      closed = true;
      unsubscribe();
      registry.shutdownAll('server shutting down');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        timer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    stats: () => registry.sizes(),
  };
}
