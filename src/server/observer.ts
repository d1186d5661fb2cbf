// What the ADS server reports about its streams. The server knows nothing of proxy status,
// metrics or logs: those sit beside the pipeline and plug in through this interface, so the
// dependency points from them to the server and never back.
import type { JsonObject } from '../envoy/resource';

/** What a proxy told us about itself in the first request of a stream (rule 13: remembered per stream). */
export interface NodeInfo {
  readonly id: string;
  readonly cluster: string;
  readonly metadata: JsonObject;
  /** e.g. "envoy" or "gRPC Node"; from Node.user_agent_name. */
  readonly userAgentName: string;
  /** Node.user_agent_version, or the version in user_agent_build_version, or "". */
  readonly userAgentVersion: string;
  readonly locality?: { readonly region?: string; readonly zone?: string; readonly sub_zone?: string };
  readonly clientFeatures: readonly string[];
}

export type StreamProtocol = 'sotw' | 'delta';

export interface StreamOpened {
  readonly streamId: string;
  readonly node: NodeInfo;
  /** Which group of the snapshot cache this proxy reads from. */
  readonly group: string;
  readonly protocol: StreamProtocol;
  /** ADS, or the single type a standalone service (CDS, LDS, ...) serves. */
  readonly service: 'ads' | 'lds' | 'rds' | 'cds' | 'eds' | 'sds';
  /** Remote address as gRPC reports it, e.g. "ipv4:127.0.0.1:51234". */
  readonly peer: string;
  readonly at: number;
}

export interface ResponseSent {
  readonly streamId: string;
  readonly typeUrl: string;
  /** SotW version_info, or the delta response's system_version_info. */
  readonly version: string;
  readonly nonce: string;
  /** Names of the resources carried by this response. */
  readonly resourceNames: readonly string[];
  /** Names removed by this response (delta removed_resources; empty for SotW). */
  readonly removedNames: readonly string[];
  readonly bytes: number;
  readonly at: number;
}

export interface AckReceived {
  readonly streamId: string;
  readonly typeUrl: string;
  readonly version: string;
  readonly nonce: string;
  readonly at: number;
}

export interface NackReceived {
  readonly streamId: string;
  readonly typeUrl: string;
  /** The version the proxy rejected (the one we sent with this nonce). */
  readonly rejectedVersion: string;
  /** The version the proxy still runs (its request's version_info). */
  readonly keptVersion: string;
  readonly nonce: string;
  readonly errorCode: number;
  readonly errorMessage: string;
  readonly at: number;
}

export interface StreamClosed {
  readonly streamId: string;
  readonly at: number;
  readonly reason: string;
}

export interface XdsStreamObserver {
  streamOpened?(event: StreamOpened): void;
  responseSent?(event: ResponseSent): void;
  ackReceived?(event: AckReceived): void;
  nackReceived?(event: NackReceived): void;
  streamClosed?(event: StreamClosed): void;
}
