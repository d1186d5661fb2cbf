// An incremental stream (DeltaAggregatedResources, DeltaListeners, DeltaClusters, ...).
import type { ResourceTypeUrl } from '../envoy/type-urls';
import { classifyNonce, type PlannedResponse } from './channel';
import { DeltaChannel } from './delta-channel';
import type { StreamContext } from './stream-context';
import { encodeDeltaResponse, type DeltaRequest } from './wire';
import { XdsStream, type ServiceKind, type XdsCall } from './xds-stream';

export class DeltaStream extends XdsStream<DeltaRequest, DeltaChannel> {
  constructor(call: XdsCall<DeltaRequest>, ctx: StreamContext, service: ServiceKind, fixedType: ResourceTypeUrl | undefined) {
    super(call, ctx, service, 'delta', fixedType);
  }

  protected handleRequest(typeUrl: ResourceTypeUrl, request: DeltaRequest): void {
    let channel = this.channels.get(typeUrl);
    if (!channel) {
      channel = new DeltaChannel(typeUrl);
      this.channels.set(typeUrl, channel);
    }
    const nonceStatus = classifyNonce(channel.lastNonce, request.responseNonce);
    if (nonceStatus === 'current') {
      this.acknowledge(channel, '', request.responseNonce, request.errorDetail);
    } else if (request.errorDetail) {
      this.log.debug({ typeUrl, nonce: request.responseNonce }, 'error_detail on a request that answers no current response; ignored');
    }
    const subscriptionChanged = channel.apply({
      subscribe: request.subscribe,
      unsubscribe: request.unsubscribe,
      initialResourceVersions: request.initialResourceVersions,
    });
    // Subscription changes are honoured whatever the nonce (rule 20); a stale request that
    // changes nothing is neither an ACK nor a reason to respond.
    if (nonceStatus === 'stale' && !subscriptionChanged) return;
    this.pump();
  }

  protected encode(plan: PlannedResponse, nonce: string): Buffer {
    return encodeDeltaResponse({
      systemVersionInfo: plan.version,
      resources: plan.resources.map((r) => ({ name: r.name, version: r.version, any: r.any })),
      typeUrl: plan.typeUrl,
      removed: plan.removed,
      nonce,
      controlPlane: this.ctx.controlPlane,
    });
  }
}
