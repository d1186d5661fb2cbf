// API groups and versions meshgate reads, and the controller name it answers to.

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
export const MESHGATE_GROUP = 'meshgate.io';
/** The core Kubernetes group ("" in references: Service, Secret, Namespace). */
export const CORE_GROUP = '';

export const GATEWAY_V1 = `${GATEWAY_GROUP}/v1`;
export const GATEWAY_V1BETA1 = `${GATEWAY_GROUP}/v1beta1`;
export const MESHGATE_V1ALPHA1 = `${MESHGATE_GROUP}/v1alpha1`;
export const CORE_V1 = 'v1';

/** GatewayClass.spec.controllerName that meshgate serves. */
export const MESHGATE_CONTROLLER = 'meshgate.io/gateway-controller';

/** Namespace used when a document's metadata has none (as kubectl does). */
export const DEFAULT_NAMESPACE = 'default';

/** The group of an apiVersion: "gateway.networking.k8s.io/v1" → "gateway.networking.k8s.io"; "v1" → "". */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? CORE_GROUP : apiVersion.slice(0, slash);
}
