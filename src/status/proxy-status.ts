// Proxy status: what each connected proxy is, and where each resource type stands for it (sent,
// ACKed, last NACK). Fed by the ADS server's stream events; read by the admin API, CSDS and the
// metrics. A proxy is a node id: it may hold several streams (standalone LDS/CDS/... services),
// and a new stream for a service it already streams replaces the old one (a reconnect).
//
// Disconnected proxies stay visible for a while (default 5 minutes, at most 1,000 of them, oldest
// dropped first) marked "disconnected", so that an operator can still read the NACK that preceded
// a crash. Memory is bounded: per proxy and type a fixed set of fields and the names it holds;
// nothing is appended per push.
import type { SnapshotSource } from '../cache/types';
import { isResourceTypeUrl } from '../envoy/type-urls';
import type {
  AckReceived,
  NackReceived,
  ResponseSent,
  StreamClosed,
  StreamOpened,
  StreamProtocol,
  XdsStreamObserver,
} from '../server/observer';
import { ConvergenceTracker, type ConvergenceListener, type ConvergenceMember } from './convergence';
import { ProxyRecord, proxyView, type TypeRecord } from './proxy-record';
import type { ProxyStatus } from './types';

/** The one read the status code needs from the snapshot cache. */
export type SnapshotReader = Pick<SnapshotSource, 'getSnapshot'>;

export interface ProxyStatusOptions {
  /** Clock for expiry and convergence windows (tests pass a fake one). */
  readonly now?: () => number;
  /** Lets partial SotW updates forget names deleted from the snapshot. */
  readonly snapshots?: SnapshotReader;
  readonly convergence?: ConvergenceListener;
  /** How long a disconnected proxy stays listed; 0 drops it at once. */
  readonly disconnectedRetentionMs?: number;
  readonly maxDisconnected?: number;
  /** See ConvergenceTracker. */
  readonly pushWindowMs?: number;
  readonly convergenceTimeoutMs?: number;
  readonly maxOpenChanges?: number;
  /** NACK error texts longer than this are cut (a proxy can send megabytes of error detail). */
  readonly maxErrorMessageLength?: number;
}

const DEFAULTS = {
  disconnectedRetentionMs: 5 * 60_000,
  maxDisconnected: 1000,
  maxErrorMessageLength: 4096,
};

export class ProxyStatusRegistry implements XdsStreamObserver {
  private readonly connected = new Map<string, ProxyRecord>();
  /** In order of disconnection (oldest first), for eviction. */
  private readonly disconnected = new Map<string, ProxyRecord>();
  private readonly byStream = new Map<string, ProxyRecord>();
  private readonly now: () => number;
  private readonly snapshots: SnapshotReader | undefined;
  private readonly convergence: ConvergenceTracker;
  private readonly retentionMs: number;
  private readonly maxDisconnected: number;
  private readonly maxErrorLength: number;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(options: ProxyStatusOptions = {}) {
    this.now = options.now ?? Date.now;
    this.snapshots = options.snapshots;
    this.retentionMs = options.disconnectedRetentionMs ?? DEFAULTS.disconnectedRetentionMs;
    this.maxDisconnected = options.maxDisconnected ?? DEFAULTS.maxDisconnected;
    this.maxErrorLength = options.maxErrorMessageLength ?? DEFAULTS.maxErrorMessageLength;
    this.convergence = new ConvergenceTracker({
      now: this.now,
      listener: options.convergence,
      pushWindowMs: options.pushWindowMs,
      timeoutMs: options.convergenceTimeoutMs,
      maxOpenRounds: options.maxOpenChanges,
    });
  }

  // ---- observer events -------------------------------------------------------------------

  streamOpened(event: StreamOpened): void {
    const id = event.node.id;
    let record = this.connected.get(id);
    if (!record) {
      record = this.disconnected.get(id) ?? new ProxyRecord(id, event, event.at);
      this.disconnected.delete(id);
      record.disconnectedAt = undefined;
      record.disconnectReason = undefined;
      record.streams.clear();
      this.connected.set(id, record);
    }
    let replaced = false;
    for (const [streamId, stream] of record.streams) {
      if (stream.service !== event.service) continue;
      record.streams.delete(streamId);
      this.byStream.delete(streamId);
      replaced = true;
    }
    if (replaced) this.convergence.streamReplaced(id);
    if (record.streams.size === 0) record.connectedSince = event.at;
    record.opened = event;
    record.streams.set(event.streamId, {
      streamId: event.streamId,
      service: event.service,
      protocol: event.protocol,
      peer: event.peer,
      openedAt: event.at,
    });
    this.byStream.set(event.streamId, record);
  }

  responseSent(event: ResponseSent): void {
    const record = this.byStream.get(event.streamId);
    if (!record) return;
    const type = record.type(event.typeUrl);
    type.sent = {
      streamId: event.streamId,
      version: event.version,
      nonce: event.nonce,
      at: event.at,
      resourceCount: event.resourceNames.length,
      removedCount: event.removedNames.length,
      bytes: event.bytes,
    };
    type.pushes += 1;
    if (record.protocolOf(event.streamId) === 'delta') {
      type.held.applyDelta(event.resourceNames, event.removedNames);
    } else if (type.held.applySotw(event.typeUrl, event.resourceNames)) {
      this.pruneDeleted(record, type);
    }
    this.convergence.responseSent(record.id, event.typeUrl, sendKey(event.streamId, event.nonce));
  }

  ackReceived(event: AckReceived): void {
    const record = this.byStream.get(event.streamId);
    if (!record) return;
    const type = record.type(event.typeUrl);
    type.acked = { streamId: event.streamId, version: event.version, nonce: event.nonce, at: event.at };
    type.acks += 1;
    const nack = type.lastNack;
    if (nack && nack.resolvedAt === undefined && !(nack.streamId === event.streamId && nack.nonce === event.nonce)) {
      type.lastNack = { ...nack, resolvedAt: event.at, resolvedByVersion: event.version };
    }
    this.convergence.answered(record.id, event.typeUrl, sendKey(event.streamId, event.nonce), event.at, true);
  }

  nackReceived(event: NackReceived): void {
    const record = this.byStream.get(event.streamId);
    if (!record) return;
    const type = record.type(event.typeUrl);
    const message = event.errorMessage.length > this.maxErrorLength ? `${event.errorMessage.slice(0, this.maxErrorLength)}…` : event.errorMessage;
    type.lastNack = {
      streamId: event.streamId,
      rejectedVersion: event.rejectedVersion,
      keptVersion: event.keptVersion,
      nonce: event.nonce,
      errorCode: event.errorCode,
      errorMessage: message,
      at: event.at,
    };
    type.nacks += 1;
    this.convergence.answered(record.id, event.typeUrl, sendKey(event.streamId, event.nonce), event.at, false);
  }

  streamClosed(event: StreamClosed): void {
    const record = this.byStream.get(event.streamId);
    if (!record) return; // unknown, or replaced by a newer stream of the same proxy
    this.byStream.delete(event.streamId);
    record.streams.delete(event.streamId);
    if (record.streams.size > 0) {
      const newest = [...record.streams.values()].pop()!;
      record.opened = { ...record.opened, streamId: newest.streamId, protocol: newest.protocol, peer: newest.peer, service: newest.service };
      return;
    }
    this.connected.delete(record.id);
    this.convergence.proxyGone(record.id);
    if (this.retentionMs <= 0 || this.maxDisconnected <= 0) return;
    record.disconnectedAt = event.at;
    record.disconnectReason = event.reason;
    this.disconnected.set(record.id, record);
    while (this.disconnected.size > this.maxDisconnected) {
      const oldest = this.disconnected.keys().next().value as string;
      this.disconnected.delete(oldest);
    }
  }

  // ---- changes and housekeeping ----------------------------------------------------------

  /**
   * A change for `group` was accepted at `acceptedAt` and published: track its convergence over
   * the proxies of that group connected now. Call it when the cache publishes the snapshot
   * (before or after the server pushes, in the same tick).
   */
  changeAccepted(group: string, acceptedAt: number): void {
    const members: ConvergenceMember[] = [];
    for (const record of this.connected.values()) {
      if (record.opened.group !== group) continue;
      const outstanding = new Map<string, string>();
      for (const type of record.types.values()) {
        if (type.sent && type.sent.at >= acceptedAt && type.state === 'pending') {
          outstanding.set(type.typeUrl, sendKey(type.sent.streamId, type.sent.nonce));
        }
      }
      members.push({ proxyId: record.id, outstanding });
    }
    this.convergence.open(group, acceptedAt, members);
  }

  /** Drops expired disconnected proxies and settles convergence rounds whose window passed. */
  sweep(): void {
    const cutoff = this.now() - this.retentionMs;
    for (const [id, record] of this.disconnected) {
      if ((record.disconnectedAt ?? 0) > cutoff) break; // oldest first: the rest are newer
      this.disconnected.delete(id);
    }
    this.convergence.sweep();
  }

  /** Runs `sweep` periodically on a timer that does not keep the process alive. */
  startSweeping(intervalMs = 250): void {
    this.stopSweeping();
    this.sweepTimer = setInterval(() => this.sweep(), intervalMs);
    this.sweepTimer.unref();
  }

  stopSweeping(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  // ---- reads -----------------------------------------------------------------------------

  /** Every listed proxy (connected first, then disconnected), each group sorted by id. */
  list(): ProxyStatus[] {
    this.sweep();
    const byId = (a: ProxyRecord, b: ProxyRecord): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    return [...[...this.connected.values()].sort(byId), ...[...this.disconnected.values()].sort(byId)].map((r) => proxyView(r));
  }

  get(id: string): ProxyStatus | undefined {
    this.sweep();
    const record = this.connected.get(id) ?? this.disconnected.get(id);
    return record ? proxyView(record) : undefined;
  }

  /** Connected proxies only (CSDS answers for these). */
  connectedProxies(): ProxyStatus[] {
    return [...this.connected.values()].map((r) => proxyView(r));
  }

  /** Names of the resources of a type the proxy holds, sorted; empty when unknown. */
  heldNames(id: string, typeUrl: string): string[] {
    const record = this.connected.get(id) ?? this.disconnected.get(id);
    const type = record?.types.get(typeUrl);
    return type ? [...type.held.names()].sort() : [];
  }

  isConnected(id: string): boolean {
    return this.connected.has(id);
  }

  connectedByProtocol(): Map<StreamProtocol, number> {
    const counts = new Map<StreamProtocol, number>();
    for (const record of this.connected.values()) counts.set(record.opened.protocol, (counts.get(record.opened.protocol) ?? 0) + 1);
    return counts;
  }

  get connectedCount(): number {
    return this.connected.size;
  }

  get disconnectedCount(): number {
    return this.disconnected.size;
  }

  /** Open convergence rounds (for tests and diagnostics). */
  get openChanges(): number {
    return this.convergence.openRounds;
  }

  private pruneDeleted(record: ProxyRecord, type: TypeRecord): void {
    if (!this.snapshots || !isResourceTypeUrl(type.typeUrl)) return;
    const current = this.snapshots.getSnapshot(record.opened.group)?.resources.get(type.typeUrl);
    if (current) type.held.prune((name) => current.has(name));
  }
}

function sendKey(streamId: string, nonce: string): string {
  return `${streamId}/${nonce}`;
}
