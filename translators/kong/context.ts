// What the conversion steps share: the Kong model, the problems found, the documents produced and
// the plans each step makes for the next (names of Backends, HTTPRoutes, Consumers, listeners).
import type { NameAllocator } from './names';
import type { KongCertificate, KongConsumer, KongModel, KongRoute, KongService } from './model';
import type { Output } from './output';
import type { Problems } from './problems';

export const GATEWAY_API_V1 = 'gateway.networking.k8s.io/v1';
export const MESHGATE_API = 'meshgate.io/v1alpha1';
export const MESHGATE_GROUP = 'meshgate.io';
/** Kong's proxy listeners and status port. */
export const HTTP_LISTENER = 'proxy';
export const HTTP_PORT = 8000;
export const HTTPS_PORT = 8443;
export const STATUS_LISTENER = 'status';
export const STATUS_PORT = 8100;
/** The header the consumer's identity travels in, as Kong names it. */
export const CONSUMER_HEADER = 'x-consumer-username';

export interface HttpsListener {
  readonly sectionName: string;
  readonly sni: string;
  readonly secretName: string;
  readonly certificate: KongCertificate;
}

export interface WeightedBackend {
  readonly name: string;
  readonly weight?: number;
}

export interface ServicePlan {
  readonly service: KongService;
  readonly name: string;
  readonly protocol: 'http' | 'https' | 'grpc' | 'grpcs';
  /** Backends the service's routes forward to (several only for an upstream of DNS targets). */
  readonly backends: readonly WeightedBackend[];
  /** Host header sent upstream when preserve_host is false. */
  readonly upstreamHost?: string;
  /** service.path, when not "/". */
  readonly basePath?: string;
  /** Why the routes of this service answer 503 instead of forwarding (no usable target). */
  readonly unavailable?: string;
}

export interface RoutePlan {
  readonly route: KongRoute;
  readonly service?: ServicePlan;
  /** Base name of the HTTPRoutes of this route. */
  readonly name: string;
  /** HTTPRoutes that serve the route (one per priority group and host chunk). */
  readonly serving: string[];
  /** HTTPRoutes that answer plain-HTTP requests of an https-only route (426 or a redirect). */
  readonly redirects: string[];
  readonly protocols: readonly string[];
}

export interface ConsumerPlan {
  readonly consumer: KongConsumer;
  readonly name: string;
  /** Values the consumer header carries for this consumer (what authorization and overrides match). */
  readonly identities: string[];
}

export interface ConversionContext {
  readonly model: KongModel;
  readonly problems: Problems;
  readonly output: Output;
  readonly names: NameAllocator;
  readonly namespace: string;
  readonly gatewayName: string;
  readonly https: readonly HttpsListener[];
  readonly services: ReadonlyMap<KongService, ServicePlan>;
  readonly routes: readonly RoutePlan[];
  readonly consumers: ReadonlyMap<KongConsumer, ConsumerPlan>;
}

/** A policy targetRef to a converted HTTPRoute. */
export function httpRouteTarget(name: string): { kind: string; name: string } {
  return { kind: 'HTTPRoute', name };
}

export function backendRef(name: string, weight?: number): Record<string, string | number> {
  return { group: MESHGATE_GROUP, kind: 'Backend', name, ...(weight !== undefined ? { weight } : {}) };
}
