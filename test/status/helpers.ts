// Scripted observer events and a fake clock for proxy status tests.
import type { JsonObject } from '../../src/envoy/resource';
import type { NodeInfo, StreamOpened, StreamProtocol, XdsStreamObserver } from '../../src/server/observer';

export class FakeClock {
  constructor(public t = Date.UTC(2024, 0, 1, 12, 0, 0)) {}
  readonly now = (): number => this.t;
  advance(ms: number): number {
    this.t += ms;
    return this.t;
  }
}

export function nodeInfo(id: string, extra: Partial<NodeInfo> & { metadata?: JsonObject } = {}): NodeInfo {
  return {
    id,
    cluster: extra.cluster ?? 'edge',
    metadata: extra.metadata ?? {},
    userAgentName: extra.userAgentName ?? 'envoy',
    userAgentVersion: extra.userAgentVersion ?? '1.31.0',
    locality: extra.locality,
    clientFeatures: extra.clientFeatures ?? [],
  };
}

export interface OpenOptions {
  readonly group?: string;
  readonly protocol?: StreamProtocol;
  readonly service?: StreamOpened['service'];
  readonly node?: NodeInfo;
}

/** Drives observers the way the ADS server would, stamping events with the fake clock. */
export class Script {
  private nonce = 0;

  constructor(
    private readonly observers: readonly XdsStreamObserver[],
    private readonly clock: FakeClock,
  ) {}

  open(streamId: string, nodeId: string, opts: OpenOptions = {}): void {
    const event: StreamOpened = {
      streamId,
      node: opts.node ?? nodeInfo(nodeId),
      group: opts.group ?? 'default',
      protocol: opts.protocol ?? 'sotw',
      service: opts.service ?? 'ads',
      peer: `ipv4:127.0.0.1:${40000 + (streamId.length % 1000)}`,
      at: this.clock.now(),
    };
    for (const o of this.observers) o.streamOpened?.(event);
  }

  /** Sends a response and returns its nonce. */
  send(streamId: string, typeUrl: string, version: string, names: readonly string[], opts: { removed?: readonly string[]; bytes?: number } = {}): string {
    const nonce = String(++this.nonce);
    const event = {
      streamId,
      typeUrl,
      version,
      nonce,
      resourceNames: names,
      removedNames: opts.removed ?? [],
      bytes: opts.bytes ?? 100,
      at: this.clock.now(),
    };
    for (const o of this.observers) o.responseSent?.(event);
    return nonce;
  }

  ack(streamId: string, typeUrl: string, version: string, nonce: string): void {
    const event = { streamId, typeUrl, version, nonce, at: this.clock.now() };
    for (const o of this.observers) o.ackReceived?.(event);
  }

  nack(streamId: string, typeUrl: string, rejectedVersion: string, keptVersion: string, nonce: string, message: string, code = 3): void {
    const event = { streamId, typeUrl, rejectedVersion, keptVersion, nonce, errorCode: code, errorMessage: message, at: this.clock.now() };
    for (const o of this.observers) o.nackReceived?.(event);
  }

  close(streamId: string, reason = 'cancelled'): void {
    const event = { streamId, at: this.clock.now(), reason };
    for (const o of this.observers) o.streamClosed?.(event);
  }
}
