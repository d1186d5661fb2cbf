// A state-of-the-world stream (StreamAggregatedResources, StreamListeners, StreamClusters, ...).
import type { ResourceTypeUrl } from '../envoy/type-urls';
import { classifyNonce, type PlannedResponse } from './channel';
import { SotwChannel } from './sotw-channel';
import type { StreamContext } from './stream-context';
import { encodeSotwResponse, type SotwRequest } from './wire';
import { XdsStream, type ServiceKind, type XdsCall } from './xds-stream';

export class SotwStream extends XdsStream<SotwRequest, SotwChannel> {
  constructor(call: XdsCall<SotwRequest>, ctx: StreamContext, service: ServiceKind, fixedType: ResourceTypeUrl | undefined) {
    super(call, ctx, service, 'sotw', fixedType);
  }

  protected handleRequest(typeUrl: ResourceTypeUrl, request: SotwRequest): void {
    let channel = this.channels.get(typeUrl);
    if (!channel) {
      channel = new SotwChannel(typeUrl);
      this.channels.set(typeUrl, channel);
    }
    const nonceStatus = classifyNonce(channel.lastNonce, request.responseNonce);
    if (nonceStatus === 'current') {
      this.acknowledge(channel, request.versionInfo, request.responseNonce, request.errorDetail);
    } else if (request.errorDetail) {
      this.log.debug({ typeUrl, nonce: request.responseNonce }, 'error_detail on a request that answers no current response; ignored');
    }
    // The names count even when the nonce is stale (rule 5): they are served by the next response.
    channel.updateSubscription(request.resourceNames);
    if (nonceStatus === 'stale') {
      this.log.debug({ typeUrl, nonce: request.responseNonce, current: channel.lastNonce }, 'stale nonce: no response');
      return;
    }
    this.pump();
  }

  protected encode(plan: PlannedResponse, nonce: string): Buffer {
    return encodeSotwResponse({
      versionInfo: plan.version,
      resources: plan.resources.map((r) => r.any),
      typeUrl: plan.typeUrl,
      nonce,
      controlPlane: this.ctx.controlPlane,
    });
  }
}
