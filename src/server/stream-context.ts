// What every stream shares with the server that owns it.
import type { Logger } from 'pino';
import type { NodeGroupResolver } from '../cache/group-resolver';
import type { SnapshotSource } from '../cache/types';
import type { NonceSource } from './nonce';
import type { ObserverFanout } from './observers';
import type { SecretAccessCheck } from './secret-access';
import type { StreamRegistry } from './stream-registry';

export interface StreamContext {
  readonly snapshots: SnapshotSource;
  readonly resolveGroup: NodeGroupResolver;
  /** Whether a stream's node may receive its group's Secrets. */
  readonly secretAccess: SecretAccessCheck;
  readonly observers: ObserverFanout;
  readonly logger: Logger;
  /** Encoded control_plane {identifier} (rule 25). */
  readonly controlPlane: Uint8Array;
  readonly nonces: NonceSource;
  readonly registry: StreamRegistry;
  /** How long listeners and routes wait for new clusters' endpoints to be sent (0: no wait). */
  readonly warmingGateMs: number;
  /** Bytes handed to gRPC but not yet taken by HTTP/2, above which a stream stops sending (rule 23). */
  readonly maxPendingBytes: number;
  readonly now: () => number;
  /** A unique id for a new stream. */
  nextStreamId(): string;
}
