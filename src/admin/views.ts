// Proxy status as the admin API shows it: camelCase JSON, RFC 3339 times, short type names.
import { TYPE_GROUP_NAME, isResourceTypeUrl, messageNameOf } from '../envoy/type-urls';
import type { ProxyStatus, TypeStatus, TypeSyncState } from '../status/types';

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrUndefined = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : iso(ms));

function shortType(typeUrl: string): string {
  return isResourceTypeUrl(typeUrl) ? TYPE_GROUP_NAME[typeUrl] : messageNameOf(typeUrl);
}

/** nacked > pending > synced; not_sent only when nothing was sent at all. */
export function overallSync(types: readonly TypeStatus[]): TypeSyncState {
  const states = new Set(types.map((t) => t.state));
  if (states.has('nacked')) return 'nacked';
  if (states.has('pending')) return 'pending';
  if (states.has('synced')) return 'synced';
  return 'not_sent';
}

function summaryFields(p: ProxyStatus) {
  return {
    id: p.id,
    cluster: p.node.cluster,
    group: p.group,
    state: p.state,
    sync: overallSync(p.types),
    protocol: p.protocol,
    peer: p.peer,
    userAgentName: p.node.userAgentName,
    userAgentVersion: p.node.userAgentVersion,
    connectedSince: iso(p.connectedSince),
    disconnectedAt: isoOrUndefined(p.disconnectedAt),
    disconnectReason: p.disconnectReason,
  };
}

export function proxySummaryView(p: ProxyStatus) {
  return {
    ...summaryFields(p),
    types: p.types.map((t) => ({
      type: shortType(t.typeUrl),
      typeUrl: t.typeUrl,
      state: t.state,
      sentVersion: t.sent?.version,
      ackedVersion: t.acked?.version,
      nackedVersion: t.state === 'nacked' ? t.lastNack?.rejectedVersion : undefined,
    })),
  };
}

function typeDetailView(t: TypeStatus) {
  const nack = t.lastNack;
  return {
    type: shortType(t.typeUrl),
    typeUrl: t.typeUrl,
    state: t.state,
    resourceCount: t.resourceCount,
    pushes: t.pushes,
    acks: t.acks,
    nacks: t.nacks,
    sent: t.sent && { ...t.sent, at: iso(t.sent.at) },
    acked: t.acked && { ...t.acked, at: iso(t.acked.at) },
    lastNack: nack && {
      rejectedVersion: nack.rejectedVersion,
      keptVersion: nack.keptVersion,
      nonce: nack.nonce,
      errorCode: nack.errorCode,
      errorMessage: nack.errorMessage,
      at: iso(nack.at),
      resolved: nack.resolvedAt !== undefined,
      resolvedAt: isoOrUndefined(nack.resolvedAt),
      resolvedByVersion: nack.resolvedByVersion,
    },
  };
}

export function proxyDetailView(p: ProxyStatus) {
  return {
    ...summaryFields(p),
    node: {
      id: p.node.id,
      cluster: p.node.cluster,
      metadata: p.node.metadata,
      userAgentName: p.node.userAgentName,
      userAgentVersion: p.node.userAgentVersion,
      locality: p.node.locality,
      clientFeatures: p.node.clientFeatures,
    },
    streams: p.streams.map((s) => ({ id: s.streamId, service: s.service, protocol: s.protocol, peer: s.peer, openedAt: iso(s.openedAt) })),
    types: p.types.map(typeDetailView),
  };
}

/** Body of GET /v1/proxies/{id} (field names as in ProxyStatus; times as RFC 3339 strings). */
export type ProxyDetailResponse = ReturnType<typeof proxyDetailView>;
/** One entry of GET /v1/proxies. */
export type ProxySummaryResponse = ReturnType<typeof proxySummaryView>;
