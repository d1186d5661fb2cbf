// What a Kong plugin module provides: the schema of its config (unknown fields are errors) and
// the conversion of one effective use of the plugin into meshgate features.
import type { JsonObject } from '../../../src/envoy/resource';
import type { ObjectSchema } from '../../schema';
import type { ConsumerPlan, ConversionContext, RoutePlan } from '../context';
import type { PlannedConsumer } from '../consumers';
import type { KongConsumer, KongPlugin } from '../model';

export interface PluginInstance {
  readonly plugin: KongPlugin;
  /** The config as given (validated); modules read Kong's defaults for what is absent. */
  readonly config: JsonObject;
  /** "plugins[3].config" and the like: where config fields live. */
  readonly configPath: string;
}

/**
 * One set of routes on which the same plugin instance decides (and, for rate-limiting, the same
 * consumer-scoped instances override it for their consumers).
 */
export interface PluginUse {
  readonly base?: PluginInstance;
  readonly overrides: readonly { readonly consumer: ConsumerPlan; readonly instance: PluginInstance }[];
  readonly routes: readonly RoutePlan[];
}

export interface PluginEnv {
  readonly ctx: ConversionContext;
  readonly consumers: ReadonlyMap<KongConsumer, PlannedConsumer>;
  /** True when an authentication plugin (key-auth, basic-auth, jwt) runs on the route. */
  authenticated(route: RoutePlan): boolean;
}

export interface PluginEffect {
  /** SecurityPolicy features for the routes of the use. */
  readonly security?: JsonObject;
  /** TrafficPolicy features for the routes of the use. */
  readonly traffic?: JsonObject;
  /** An HTTPRouteFilter spec every rule of the routes references. */
  readonly filter?: JsonObject;
  /** request-transformer replace.uri: the upstream path of the routes. */
  readonly replaceUri?: string;
  /** ListenerPolicy features (Envoy applies them to whole listeners), and on which listener. */
  readonly listenerPolicy?: { readonly spec: JsonObject; readonly sectionName?: string };
  /** TrafficPolicy features that apply to whole listeners (gRPC-Web). */
  readonly listenerTraffic?: JsonObject;
  /** Ask for Kong's status listener (prometheus). */
  readonly statusListener?: boolean;
}

export interface PluginModule {
  readonly name: string;
  readonly config: ObjectSchema;
  /** Kong refuses this plugin on consumers (authentication, acl, cors). */
  readonly noConsumer?: boolean;
  /** Consumer-scoped instances become per-consumer overrides (rate-limiting); otherwise they cannot be honoured. */
  readonly consumerOverrides?: boolean;
  /** Envoy applies it to whole listeners: scoped instances are widened (warning) or refused. */
  readonly scope?: 'listener-widened' | 'listener-only';
  /** Routes of one use that need different features (a key that depends on the route) get separate uses. */
  splitBy?(route: RoutePlan, use: PluginUse, env: PluginEnv): string;
  convert(use: PluginUse, env: PluginEnv): PluginEffect | undefined;
}
