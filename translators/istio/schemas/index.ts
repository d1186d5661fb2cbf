// The spec schema of every networking.istio.io kind meshgate reads.
import type { ObjectSchema } from '../../schema';
import type { NetworkingKind } from '../kinds';
import { destinationRuleSpec } from './destination-rule';
import { gatewaySpec, serviceEntrySpec, sidecarSpec, workloadEntrySpec } from './registry-kinds';
import { virtualServiceSpec } from './virtual-service';

export const NETWORKING_SPECS: Readonly<Record<NetworkingKind, ObjectSchema>> = {
  VirtualService: virtualServiceSpec,
  DestinationRule: destinationRuleSpec,
  Gateway: gatewaySpec,
  ServiceEntry: serviceEntrySpec,
  WorkloadEntry: workloadEntrySpec,
  Sidecar: sidecarSpec,
};
