// A served Gateway → IR Proxy "gateway/<ns>/<name>": one IR Listener per programmed Gateway
// listener, virtual hosts per served hostname with routes in precedence order, and the clusters
// and TLS secrets they use.
import type { InputDocument } from '../../src/documents/types';
import type { Cluster } from '../../src/ir/cluster';
import type { RedirectAction, Route, RouteAction } from '../../src/ir/route';
import type { GlobalRateLimitService, Listener, Proxy, TlsSecret, VirtualHost } from '../../src/ir/types';
import { ANY_HOST, compareSpecificity, covers, isWildcard } from '../core/hostnames';
import { getNumber, getObject, getString } from '../core/json';
import { namespaceOf } from '../core/documents';
import { gatewayProxyName, RATE_LIMIT_CLUSTER, routeEntryName, UNRESOLVED_BACKEND_CLUSTER, virtualHostName } from '../core/names';
import type { StatusBuilder } from '../core/status';
import { applyListenerPolicies, DEFAULT_LISTENER_OPTIONS } from '../meshgate/listener-policy';
import { targetKey, type PolicyAttachments } from '../meshgate/policy-targets';
import type { PolicyResolver, ResolvedRulePolicy } from '../policy-resolver';
import type { GatewayPlan } from './attachment';
import type { CompiledRoute, CompiledRule } from './compiled-route';
import type { ListenerPlan } from './listeners';
import { sameValue } from './route-memo';
import { compareMatches, type MatchEntry } from './precedence';
import { sortByPriority } from './priority';
import { GenerationalWeakMap } from '../../src/util/generational-weak-map';

export interface RateLimitServiceOptions {
  readonly host: string;
  readonly port: number;
  readonly domain: string;
  readonly failClosed: boolean;
  readonly timeoutMs: number;
}

export interface ProxyBuildContext {
  readonly policies: PolicyResolver;
  readonly listenerPolicies: PolicyAttachments;
  readonly rateLimitService: RateLimitServiceOptions;
  statusOf(doc: InputDocument): StatusBuilder;
}

function redirectAction(filter: Parameters<typeof getString>[0], listener: ListenerPlan): RedirectAction {
  const scheme = getString(filter, 'scheme');
  const hostname = getString(filter, 'hostname');
  const path = getObject(filter, 'path');
  const code = getNumber(filter, 'statusCode');
  // Gateway API: no port → the scheme's well-known port when a scheme is given, else the listener's.
  const port = getNumber(filter, 'port') ?? (scheme === 'https' ? 443 : scheme === 'http' ? 80 : listener.port);
  const pathType = getString(path, 'type');
  return {
    type: 'redirect',
    ...(scheme === 'http' || scheme === 'https' ? { scheme } : {}),
    ...(hostname !== undefined ? { hostname } : {}),
    port,
    ...(pathType === 'ReplaceFullPath' ? { path: { type: 'ReplaceFullPath' as const, value: getString(path, 'replaceFullPath') ?? '/' } } : {}),
    ...(pathType === 'ReplacePrefixMatch' ? { path: { type: 'ReplacePrefixMatch' as const, value: getString(path, 'replacePrefixMatch') ?? '' } } : {}),
    statusCode: code === 301 || code === 303 || code === 307 || code === 308 ? code : 302,
  };
}

function ruleAction(rule: CompiledRule, listener: ListenerPlan, resolved: ResolvedRulePolicy): RouteAction {
  if (rule.redirect) return redirectAction(rule.redirect, listener);
  if (rule.failStatus) return { type: 'direct', status: rule.failStatus };
  if (rule.directResponse) return { type: 'direct', ...rule.directResponse };
  return {
    type: 'forward',
    backends: rule.backends,
    ...(resolved.timeoutMs !== undefined ? { timeoutMs: resolved.timeoutMs } : {}),
    ...(resolved.idleTimeoutMs !== undefined ? { idleTimeoutMs: resolved.idleTimeoutMs } : {}),
    ...(resolved.retry ? { retry: resolved.retry } : {}),
    ...(rule.mirrors.length > 0 ? { mirrors: rule.mirrors } : {}),
    ...(rule.rewrite ? { rewrite: rule.rewrite } : {}),
    ...(resolved.hashOn ? { hashOn: resolved.hashOn } : {}),
  };
}

/**
 * Listener isolation: a hostname served by a more specific listener on the same port (e.g.
 * "foo.example.com" next to "*.example.com") is left to that listener.
 */
function isolatedHostnames(listener: ListenerPlan, siblings: readonly ListenerPlan[], hostnames: readonly string[]): string[] {
  return hostnames.filter(
    (h) =>
      !siblings.some(
        (s) => s.hostname !== undefined && covers(s.hostname, h) && (listener.hostname === undefined || compareSpecificity(s.hostname, listener.hostname) < 0),
      ),
  );
}

/**
 * IR routes handed out last time, per compiled rule (which route memoisation keeps as the same
 * object while its route document and references are unchanged) and route name. A route built
 * equal to last time's is returned as that same object, so src/xds can keep its Envoy JSON per
 * IR route. Keyed weakly: a rule that is gone takes its routes with it.
 */
const lastRoutes = new GenerationalWeakMap<CompiledRule, Map<string, Route>>();

function sameAsLastTime(rule: CompiledRule, route: Route): Route {
  let byName = lastRoutes.get(rule);
  if (!byName) lastRoutes.set(rule, (byName = new Map()));
  const before = byName.get(route.name);
  if (before && sameValue(before, route)) return before;
  byName.set(route.name, route);
  return route;
}

export function buildGatewayProxy(plan: GatewayPlan, ctx: ProxyBuildContext, address: string): Proxy {
  const gw = plan.doc;
  const ns = namespaceOf(gw);
  const clusters = new Map<string, Cluster>();
  const secrets = new Map<string, TlsSecret>();
  const addCluster = (c: Cluster): void => {
    if (!clusters.has(c.name)) clusters.set(c.name, c);
  };
  let globalRateLimit = false;
  let unresolved = false;
  const programmable = plan.listeners.filter((l) => l.programmable);
  const listeners: Listener[] = [];
  for (const l of [...programmable].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const siblings = programmable.filter((s) => s !== l && s.port === l.port && s.protocol === l.protocol);
    const resolvedByRule = new Map<CompiledRule, { action: RouteAction; policy: ResolvedRulePolicy }>();
    const resolveRule = (route: CompiledRoute, rule: CompiledRule): { action: RouteAction; policy: ResolvedRulePolicy } => {
      let r = resolvedByRule.get(rule);
      if (!r) {
        const policy = ctx.policies.forRule({ gateway: gw, listener: l.name, route, rule });
        r = { action: ruleAction(rule, l, policy), policy };
        resolvedByRule.set(rule, r);
        if (r.action.type === 'forward') rule.clusters.forEach(addCluster);
        policy.clusters.forEach(addCluster);
        globalRateLimit ||= policy.usesGlobalRateLimit;
        unresolved ||= r.action.type === 'forward' && rule.backends.some((b) => b.cluster === UNRESOLVED_BACKEND_CLUSTER);
      }
      return r;
    };
    const groups = new Map<string, MatchEntry[]>();
    for (const [route, served] of plan.attached.get(l.name) ?? []) {
      for (const h of isolatedHostnames(l, siblings, served)) {
        const list = groups.get(h) ?? [];
        for (const rule of route.rules) for (const match of rule.matches) list.push({ route, rule, match });
        groups.set(h, list);
      }
    }
    for (const list of groups.values()) list.sort(compareMatches);
    const hostnames = [...groups.keys()].sort(compareSpecificity);
    // Only "*" and wildcards cover a hostname other than themselves, and they sort after every
    // exact hostname: looking among them alone keeps this linear in the number of exact hostnames
    // (10,000 routes with their own hostnames would otherwise make 10^8 covers() calls).
    const patterns = hostnames.filter((x) => x === ANY_HOST || isWildcard(x));
    const virtualHosts: VirtualHost[] = hostnames.map((h) => {
      const vhName = virtualHostName(l.name, h);
      const seen = new Set<string>();
      const placed: { route: Route; priority: number }[] = [];
      const coveringPatterns = patterns.filter((x) => covers(x, h));
      // Rules of less specific hostnames that also cover h follow, in Gateway API hostname order.
      for (const g of h === ANY_HOST || isWildcard(h) ? coveringPatterns : [h, ...coveringPatterns]) {
        for (const e of groups.get(g)!) {
          const name = routeEntryName(vhName, e.route.kind, namespaceOf(e.route.doc), e.route.doc.metadata.name, e.rule.index, e.match.matchIndex);
          if (seen.has(name)) continue;
          seen.add(name);
          const { action, policy } = resolveRule(e.route, e.rule);
          const section = `rules[${e.rule.index}].matches[${e.match.matchIndex}]`;
          placed.push({
            priority: e.route.priority,
            route: sameAsLastTime(e.rule, {
              name,
              match: e.match.match,
              action,
              ...(e.rule.requestHeaders ? { requestHeaders: e.rule.requestHeaders } : {}),
              ...(e.rule.responseHeaders ? { responseHeaders: e.rule.responseHeaders } : {}),
              ...(policy.policy ? { policy: policy.policy } : {}),
              source: { kind: e.route.kind, namespace: namespaceOf(e.route.doc), name: e.route.doc.metadata.name, section },
            }),
          });
        }
      }
      // meshgate.io/priority orders the whole virtual host (own, wildcard and hostname-less routes
      // alike); equal priorities keep the Gateway API order built above.
      const routes = sortByPriority(placed, (p) => p.priority).map((p) => p.route);
      return { name: vhName, domains: [h], routes };
    });
    const lp = [
      ...ctx.listenerPolicies.at(targetKey.listener(ns, gw.metadata.name, l.name)),
      ...ctx.listenerPolicies.at(targetKey.gateway(ns, gw.metadata.name)),
    ];
    const applied = applyListenerPolicies(lp, DEFAULT_LISTENER_OPTIONS);
    const traffic = ctx.policies.listenerTraffic(gw, l.name);
    const options = {
      ...applied.options,
      ...(traffic.compression !== undefined ? { compression: traffic.compression } : {}),
      ...(traffic.grpcWeb !== undefined ? { grpcWeb: traffic.grpcWeb } : {}),
    };
    if (applied.httpsRedirect && l.protocol !== 'HTTP') {
      for (const p of lp) if (getObject(p.spec, 'httpsRedirect')) ctx.statusOf(p).warn(`httpsRedirect is ignored on listener ${l.name}: it is already ${l.protocol}`);
    }
    if (applied.tls && l.protocol !== 'HTTPS') {
      for (const p of lp) if (getObject(p.spec, 'tls')) ctx.statusOf(p).warn(`tls settings are ignored on listener ${l.name}: it is ${l.protocol}`);
    }
    for (const s of l.secrets) if (!secrets.has(s.name)) secrets.set(s.name, s);
    listeners.push({
      name: l.name,
      address,
      port: l.port,
      protocol: l.protocol === 'HTTPS' ? 'HTTPS' : 'HTTP',
      hostnames: l.hostname !== undefined ? [l.hostname] : [],
      ...(l.protocol === 'HTTPS'
        ? {
            tls: {
              certificateSecrets: l.secrets.map((s) => s.name),
              ...(applied.tls?.alpn ? { alpn: applied.tls.alpn } : {}),
              ...(applied.tls?.minVersion ? { minVersion: applied.tls.minVersion } : {}),
            },
          }
        : {}),
      virtualHosts,
      ...(applied.httpsRedirect && l.protocol === 'HTTP' ? { httpsRedirect: applied.httpsRedirect } : {}),
      options,
      source: { kind: 'Gateway', namespace: ns, name: gw.metadata.name, section: `listeners[${l.name}]` },
    });
  }
  const source = { kind: 'Gateway', namespace: ns, name: gw.metadata.name };
  if (unresolved) addCluster({ name: UNRESOLVED_BACKEND_CLUSTER, discovery: { type: 'static', endpoints: [] }, source });
  let rls: GlobalRateLimitService | undefined;
  if (globalRateLimit) {
    const o = ctx.rateLimitService;
    addCluster({ name: RATE_LIMIT_CLUSTER, discovery: { type: 'dns', hostname: o.host, port: o.port }, http2: true, source });
    rls = { cluster: RATE_LIMIT_CLUSTER, domain: o.domain, failClosed: o.failClosed, timeoutMs: o.timeoutMs };
  }
  const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return {
    name: gatewayProxyName(ns, gw.metadata.name),
    kind: 'gateway',
    listeners,
    clusters: [...clusters.values()].sort(byName),
    secrets: [...secrets.values()].sort(byName),
    ...(rls ? { globalRateLimit: rls } : {}),
  };
}
