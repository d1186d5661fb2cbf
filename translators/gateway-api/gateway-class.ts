// GatewayClass: meshgate serves the classes whose controllerName is MESHGATE_CONTROLLER. A Gateway
// naming a class that is not defined is served too (meshgate runs without Kubernetes, where
// classes are usually installed separately) and gets a warning; a class that names another
// controller is left alone.
import type { InputDocument } from '../../src/documents/types';
import { DocumentIndex } from '../core/documents';
import { getString, has } from '../core/json';
import { MESHGATE_CONTROLLER } from '../core/kinds';
import { accepted, notAccepted, type StatusBuilder } from '../core/status';

export type ClassVerdict = { readonly served: true; readonly warning?: string } | { readonly served: false; readonly message: string };

export function classifyGateway(gateway: InputDocument, index: DocumentIndex): ClassVerdict {
  const className = getString(gateway.spec, 'gatewayClassName') ?? '';
  // GatewayClass is cluster-scoped; documents may carry any namespace, so look it up by name.
  const cls = index.list('GatewayClass').find((c) => c.metadata.name === className);
  if (!cls) return { served: true, warning: `GatewayClass ${className} is not defined; meshgate serves this Gateway as its own` };
  const controller = getString(cls.spec, 'controllerName');
  if (controller !== MESHGATE_CONTROLLER) return { served: false, message: `GatewayClass ${className} belongs to controller ${controller}, not ${MESHGATE_CONTROLLER}` };
  return { served: true };
}

export function gatewayClassStatus(cls: InputDocument, status: StatusBuilder): void {
  const controller = getString(cls.spec, 'controllerName');
  if (controller === MESHGATE_CONTROLLER) {
    status.conditions.push(accepted(`Served by ${MESHGATE_CONTROLLER}`));
  } else {
    status.conditions.push(notAccepted('Unsupported', `controllerName ${controller} is not ${MESHGATE_CONTROLLER}; Gateways of this class are not served`));
  }
  if (has(cls.spec, 'parametersRef')) status.warn('spec.parametersRef is ignored: meshgate has no class parameters');
}
