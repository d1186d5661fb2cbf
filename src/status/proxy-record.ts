// Mutable per-proxy state kept by the proxy status registry, and the read-only view built from
// it. Per proxy and type: a fixed set of fields plus the names held, so memory does not grow
// with the number of pushes.
import { PUSH_ORDER, isResourceTypeUrl } from '../envoy/type-urls';
import type { StreamOpened, StreamProtocol } from '../server/observer';
import { HeldResources } from './held-resources';
import type { AckInfo, NackInfo, ProxyStatus, SentInfo, StreamStatus, TypeStatus, TypeSyncState } from './types';

/** Sent/ACK/NACK records remember their stream: nonces are only unique within one stream. */
export type Stamped<T> = T & { readonly streamId: string };

export class TypeRecord {
  sent: Stamped<SentInfo> | undefined;
  acked: Stamped<AckInfo> | undefined;
  lastNack: Stamped<NackInfo> | undefined;
  readonly held = new HeldResources();
  pushes = 0;
  acks = 0;
  nacks = 0;

  constructor(readonly typeUrl: string) {}

  get state(): TypeSyncState {
    const sent = this.sent;
    if (!sent) return 'not_sent';
    const same = (x: { streamId: string; nonce: string } | undefined): boolean => x !== undefined && x.streamId === sent.streamId && x.nonce === sent.nonce;
    if (same(this.lastNack)) return 'nacked';
    if (same(this.acked)) return 'synced';
    return 'pending';
  }
}

export class ProxyRecord {
  readonly streams = new Map<string, StreamStatus>();
  readonly types = new Map<string, TypeRecord>();
  disconnectedAt: number | undefined;
  disconnectReason: string | undefined;

  constructor(
    readonly id: string,
    public opened: StreamOpened,
    public connectedSince: number,
  ) {}

  type(typeUrl: string): TypeRecord {
    let record = this.types.get(typeUrl);
    if (!record) {
      record = new TypeRecord(typeUrl);
      this.types.set(typeUrl, record);
    }
    return record;
  }

  /** The stream that served the latest event of this type: its protocol decides SotW vs delta. */
  protocolOf(streamId: string): StreamProtocol {
    return this.streams.get(streamId)?.protocol ?? this.opened.protocol;
  }
}

function strip<T extends object>(stamped: Stamped<T> | undefined): T | undefined {
  if (!stamped) return undefined;
  const { streamId: _streamId, ...rest } = stamped;
  return rest as unknown as T;
}

function typeOrder(typeUrl: string): number {
  const i = isResourceTypeUrl(typeUrl) ? PUSH_ORDER.indexOf(typeUrl) : -1;
  return i >= 0 ? i : PUSH_ORDER.length;
}

export function proxyView(record: ProxyRecord): ProxyStatus {
  const types: TypeStatus[] = [...record.types.values()]
    .sort((a, b) => typeOrder(a.typeUrl) - typeOrder(b.typeUrl) || (a.typeUrl < b.typeUrl ? -1 : 1))
    .map((t) => ({
      typeUrl: t.typeUrl,
      state: t.state,
      sent: strip(t.sent),
      acked: strip(t.acked),
      lastNack: strip(t.lastNack),
      resourceCount: t.held.size,
      pushes: t.pushes,
      acks: t.acks,
      nacks: t.nacks,
    }));
  return {
    id: record.id,
    node: record.opened.node,
    group: record.opened.group,
    state: record.disconnectedAt === undefined ? 'connected' : 'disconnected',
    protocol: record.opened.protocol,
    peer: record.opened.peer,
    connectedSince: record.connectedSince,
    disconnectedAt: record.disconnectedAt,
    disconnectReason: record.disconnectReason,
    streams: [...record.streams.values()],
    types,
  };
}
