// One KongConfiguration → the Gateway API + meshgate documents that mean the same, exactly what
// `meshgate convert` prints. The Kong family translates these documents with the Gateway API
// translator, so applying a Kong file and applying its conversion serve the same Envoy resources.
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import { getBoolean, getStrings } from '../core/json';
import { checkSchema } from '../schema';
import { MESHGATE_API, MESHGATE_GROUP, type ConversionContext, type RoutePlan } from './context';
import { planConsumers } from './consumers';
import { emitGateway, planHttpsListeners } from './gateway';
import { isLenient } from './kinds';
import type { KongModel, KongPlugin } from './model';
import { readKongModel } from './model';
import { NameAllocator, objectNameOf } from './names';
import { Output } from './output';
import { pluginModule, PLUGINS, isAccessPlugin } from './plugins';
import type { PluginEffect, PluginEnv, PluginInstance, PluginModule, PluginUse } from './plugins/types';
import { at, Problems } from './problems';
import { planRoutes, type RouteExtras } from './routes';
import { scopeLabel, usesOf } from './scoping';
import { planServices } from './services';

export interface ConversionOptions {
  /** Report what cannot be honoured as warnings and drop it (also set by the meshgate.io/lenient annotation). */
  readonly lenient?: boolean;
}

export interface Conversion {
  /** The converted documents in Kubernetes form (what `meshgate convert` prints). */
  readonly documents: readonly JsonObject[];
  readonly output: Output;
  readonly problems: Problems;
  readonly gatewayName: string;
  readonly namespace: string;
}

const ALL_PROTOCOLS = ['grpc', 'grpcs', 'http', 'https'];
const AUTH_PLUGINS = ['jwt', 'key-auth', 'basic-auth'];

/** The enabled plugins meshgate converts, with their configs checked, by plugin name. */
function pluginInstances(model: KongModel, problems: Problems): Map<string, PluginInstance[]> {
  const byName = new Map<string, PluginInstance[]>();
  const scopes = new Map<string, string>();
  for (const plugin of model.plugins) {
    if (getBoolean(plugin.raw, 'enabled') === false) continue;
    const module = pluginModule(plugin.name);
    if (!module) {
      const reason = `plugin "${plugin.name}" is not supported by meshgate (supported: ${PLUGINS.map((p) => p.name).join(', ')})`;
      if (isAccessPlugin(plugin.name)) problems.error(at(plugin.path, 'name'), `${reason}; it decides who may call the routes, so it is never dropped`);
      else problems.cannotHonour(at(plugin.path, 'name'), reason);
      continue;
    }
    const configPath = at(plugin.path, 'config');
    const config = (plugin.raw['config'] as JsonObject | null | undefined) ?? {};
    const issues = checkSchema(module.config, config, '');
    issues.forEach((i) => problems.error(at(configPath, i.path), i.reason));
    if (issues.length > 0) continue;
    const scopeKey = `${plugin.name}|${plugin.route?.path ?? ''}|${plugin.service?.path ?? ''}|${plugin.consumer?.path ?? ''}|${String(plugin.raw['instance_name'] ?? '')}`;
    const twin = scopes.get(scopeKey);
    if (twin) {
      problems.error(plugin.path, `plugin "${plugin.name}" is already configured for the same scope at ${twin}`);
      continue;
    }
    scopes.set(scopeKey, plugin.path);
    if (plugin.raw['consumer_group'] !== undefined && plugin.raw['consumer_group'] !== null) {
      problems.cannotHonour(at(plugin.path, 'consumer_group'), 'consumer groups are not supported');
      continue;
    }
    if (plugin.consumer && module.noConsumer) {
      problems.error(at(plugin.path, 'consumer'), `Kong does not allow the ${plugin.name} plugin on a consumer`);
      continue;
    }
    if (plugin.consumer && !module.consumerOverrides) {
      problems.cannotHonour(at(plugin.path, 'consumer'), `the ${plugin.name} plugin cannot be applied per consumer`);
      continue;
    }
    if (plugin.raw['ordering'] !== undefined && plugin.raw['ordering'] !== null) problems.cannotHonour(at(plugin.path, 'ordering'), 'dynamic plugin ordering is not supported: plugins run in meshgate\'s fixed filter order');
    const list = byName.get(module.name) ?? [];
    list.push({ plugin, config, configPath });
    byName.set(module.name, list);
  }
  return byName;
}

/** Whether a plugin's `protocols` let it run on a route (a partial overlap is reported once). */
function protocolFilter(problems: Problems): (instance: PluginInstance, route: RoutePlan) => boolean {
  return (instance, route) => {
    const given = getStrings(instance.plugin.raw, 'protocols');
    const protocols = given.length > 0 ? given : ALL_PROTOCOLS;
    const shared = route.protocols.filter((p) => protocols.includes(p));
    if (shared.length === 0) return false;
    if (shared.length < route.protocols.length) {
      problems.cannotHonour(at(instance.plugin.path, 'protocols'), `the plugin runs for ${shared.join(', ')} only on ${route.route.path}; meshgate applies it to every protocol of the route`);
    }
    return true;
  };
}

function scopeName(plugin: KongPlugin, ctx: ConversionContext, route: (r: KongPlugin['route']) => string | undefined): string {
  const parts: string[] = [];
  if (plugin.consumer) parts.push(ctx.consumers.get(plugin.consumer)?.name ?? 'consumer');
  if (plugin.route) parts.push(route(plugin.route) ?? 'route');
  if (plugin.service) parts.push([...ctx.services.values()].find((s) => s.service === plugin.service)?.name ?? 'service');
  return `${plugin.name}-${scopeLabel(plugin).replace(/\+/g, '-')}${parts.length > 0 ? `-${parts.join('-')}` : ''}`;
}

export function convertKong(doc: InputDocument, options: ConversionOptions = {}): Conversion {
  const problems = new Problems(options.lenient === true || isLenient(doc));
  const namespace = doc.metadata.namespace;
  const gatewayName = doc.metadata.name;
  const output = new Output(namespace);
  const empty: Conversion = { documents: [], output, problems, gatewayName, namespace };
  const model = readKongModel(doc.spec, problems);
  if (!model) return empty;

  const names = new NameAllocator();
  const https = planHttpsListeners(model, names, problems);
  const services = planServices(model, names, problems);
  const consumers = planConsumers(model, names, problems);
  const routes = planRoutes(services.plans, model.routes, https, names, problems);
  const ctx: ConversionContext = { model, problems, output, names, namespace, gatewayName, https, services: services.plans, routes: routes.plans, consumers: consumers.plans };
  const instances = pluginInstances(model, problems);
  const runsOn = protocolFilter(problems);
  const routeName = (r: KongPlugin['route']): string | undefined => routes.plans.find((p) => p.route === r)?.name;

  const authenticated = new Set<RoutePlan>();
  for (const name of AUTH_PLUGINS) {
    for (const use of usesOf(instances.get(name) ?? [], routes.plans, consumers.plans, false, runsOn)) {
      for (const r of use.routes) authenticated.add(r);
    }
  }
  const env: PluginEnv = { ctx, consumers: consumers.plans, authenticated: (r) => authenticated.has(r) };

  const extras = new Map<RoutePlan, { filters: JsonObject[]; replaceUri?: string }>();
  const extrasOf = (r: RoutePlan): { filters: JsonObject[]; replaceUri?: string } => {
    let e = extras.get(r);
    if (!e) extras.set(r, (e = { filters: [] }));
    return e;
  };
  const pending: (() => void)[] = [];
  const listenerOnce = new Set<string>();
  let statusListener = false;
  const gatewayTarget = (sectionName?: string): JsonObject => ({ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gatewayName, ...(sectionName ? { sectionName } : {}) });
  const anyRedirects = routes.plans.some((r) => r.redirects.length > 0);

  const record = (module: PluginModule, lead: PluginInstance, use: PluginUse, effect: PluginEffect | undefined, wholeGateway: boolean): void => {
    if (!effect) return;
    const base = objectNameOf(scopeName(lead.plugin, ctx, routeName), module.name);
    const source = lead.plugin.path;
    const routeTargets = use.routes.flatMap((r) => r.serving.map((name) => ({ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name })));
    const targetRefs: JsonObject[] = wholeGateway ? [gatewayTarget()] : routeTargets;
    const addPolicy = (kind: string, spec: JsonObject): void => {
      if (targetRefs.length === 0) return;
      const name = names.allocate(kind, base);
      pending.push(() => {
        output.add(MESHGATE_API, kind, name, source, { spec: { targetRefs, ...spec } });
        output.mapField(kind, name, 'spec', lead.configPath);
        output.mapField(kind, name, 'spec.targetRefs', source);
      });
    };
    if (effect.security) addPolicy('SecurityPolicy', effect.security);
    if (effect.traffic) addPolicy('TrafficPolicy', effect.traffic);
    if (effect.filter) {
      const name = names.allocate('HTTPRouteFilter', base);
      const spec = effect.filter;
      pending.push(() => {
        output.add(MESHGATE_API, 'HTTPRouteFilter', name, source, { spec });
        output.mapField('HTTPRouteFilter', name, 'spec', lead.configPath);
      });
      for (const r of use.routes) extrasOf(r).filters.push({ type: 'ExtensionRef', extensionRef: { group: MESHGATE_GROUP, kind: 'HTTPRouteFilter', name } });
    }
    if (effect.replaceUri !== undefined) for (const r of use.routes) extrasOf(r).replaceUri = effect.replaceUri;
    if (effect.statusListener) statusListener = true;
    if (effect.listenerPolicy && !listenerOnce.has(`lp|${module.name}`)) {
      listenerOnce.add(`lp|${module.name}`);
      const name = names.allocate('ListenerPolicy', objectNameOf(module.name, 'listener'));
      const { spec, sectionName } = effect.listenerPolicy;
      pending.push(() => output.add(MESHGATE_API, 'ListenerPolicy', name, source, { spec: { targetRefs: [gatewayTarget(sectionName)], ...spec } }));
    }
    if (effect.listenerTraffic && !listenerOnce.has(`lt|${module.name}`)) {
      listenerOnce.add(`lt|${module.name}`);
      const name = names.allocate('TrafficPolicy', objectNameOf(module.name, 'listener'));
      const spec = effect.listenerTraffic;
      pending.push(() => output.add(MESHGATE_API, 'TrafficPolicy', name, source, { spec: { targetRefs: [gatewayTarget()], ...spec } }));
    }
  };

  for (const module of PLUGINS) {
    const list = instances.get(module.name) ?? [];
    if (module.scope) {
      for (const inst of list) {
        const scoped = inst.plugin.route || inst.plugin.service || inst.plugin.consumer;
        if (scoped && module.scope === 'listener-only') {
          problems.cannotHonour(inst.plugin.path, `Envoy applies ${module.name} to whole listeners; only a global ${module.name} plugin can be honoured`);
          continue;
        }
        if (scoped) problems.warn(inst.plugin.path, `Envoy applies ${module.name} to whole listeners: it is enabled for every route`);
        const use: PluginUse = { base: inst, overrides: [], routes: routes.plans };
        record(module, inst, use, module.convert(use, env), true);
      }
      continue;
    }
    const used = new Set<PluginInstance>();
    for (const use of usesOf(list, routes.plans, consumers.plans, module.consumerOverrides === true, runsOn)) {
      const parts = new Map<string, RoutePlan[]>();
      for (const r of use.routes) {
        const key = module.splitBy?.(r, use, env) ?? '';
        parts.set(key, [...(parts.get(key) ?? []), r]);
      }
      for (const part of parts.values()) {
        const sub: PluginUse = { ...use, routes: part };
        const lead = sub.base ?? sub.overrides[0]!.instance;
        if (sub.base) used.add(sub.base);
        sub.overrides.forEach((o) => used.add(o.instance));
        const everywhere = parts.size === 1 && sub.base !== undefined && sub.overrides.length === 0 && !sub.base.plugin.route && !sub.base.plugin.service && part.length === routes.plans.length && !anyRedirects;
        record(module, lead, sub, module.convert(sub, env), everywhere);
      }
    }
    for (const inst of list) if (!used.has(inst)) problems.warn(inst.plugin.path, 'the plugin applies to no served route (more specific instances of it take precedence, or its routes are not served)');
  }

  emitGateway(output, gatewayName, https, statusListener);
  services.emit(output);
  routes.emit(output, gatewayName, (plan): RouteExtras => extras.get(plan) ?? { filters: [] });
  consumers.emit(output);
  for (const p of pending) p();
  return { documents: output.documents, output, problems, gatewayName, namespace };
}
