// What operators see about a proxy: read-only views built by the proxy status registry and shown by
// the admin API and CSDS. Times are milliseconds since the epoch.
import type { NodeInfo, StreamOpened, StreamProtocol } from '../server/observer';

/** Where a type stands for one proxy, judged by the last response sent of that type. */
export type TypeSyncState =
  /** The last response was ACKed. */
  | 'synced'
  /** The last response is waiting for an ACK or NACK. */
  | 'pending'
  /** The last response was rejected; the proxy runs the version it had before. */
  | 'nacked'
  /** Nothing of this type was sent. */
  | 'not_sent';

export interface SentInfo {
  readonly version: string;
  readonly nonce: string;
  readonly at: number;
  readonly resourceCount: number;
  readonly removedCount: number;
  readonly bytes: number;
}

export interface AckInfo {
  readonly version: string;
  readonly nonce: string;
  readonly at: number;
}

export interface NackInfo {
  readonly rejectedVersion: string;
  /** The version the proxy still runs (its request's version_info). */
  readonly keptVersion: string;
  readonly nonce: string;
  readonly errorCode: number;
  readonly errorMessage: string;
  readonly at: number;
  /**
   * Set once a later response was ACKed: the NACK stays visible so operators can see what
   * happened, marked as superseded by that ACK.
   */
  readonly resolvedAt?: number;
  readonly resolvedByVersion?: string;
}

export interface TypeStatus {
  readonly typeUrl: string;
  readonly state: TypeSyncState;
  readonly sent?: SentInfo;
  readonly acked?: AckInfo;
  readonly lastNack?: NackInfo;
  /** Names of the resources the proxy currently holds of this type, as far as we sent them. */
  readonly resourceCount: number;
  readonly pushes: number;
  readonly acks: number;
  readonly nacks: number;
}

export interface StreamStatus {
  readonly streamId: string;
  readonly service: StreamOpened['service'];
  readonly protocol: StreamProtocol;
  readonly peer: string;
  readonly openedAt: number;
}

export type ProxyState = 'connected' | 'disconnected';

export interface ProxyStatus {
  readonly id: string;
  readonly node: NodeInfo;
  readonly group: string;
  readonly state: ProxyState;
  /** Protocol and peer of the newest stream. */
  readonly protocol: StreamProtocol;
  readonly peer: string;
  /** When the proxy's current connection began (its oldest open stream, or the last one if gone). */
  readonly connectedSince: number;
  readonly disconnectedAt?: number;
  readonly disconnectReason?: string;
  readonly streams: readonly StreamStatus[];
  /** Per type, in make-before-break order (CDS, EDS, LDS, RDS, SDS), then any other type. */
  readonly types: readonly TypeStatus[];
}
