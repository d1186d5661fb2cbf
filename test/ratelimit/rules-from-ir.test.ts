// rulesFromIr: the rules derived from the IR's global rate limit policies, checked against the
// descriptors Envoy would send for the RouteConfiguration src/xds builds from the same IR, so the
// contract between the two stages is tested, not restated.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';
import type { GlobalRateLimitPolicy, RoutePolicy } from '../../src/ir/policy';
import type { Route } from '../../src/ir/route';
import { IR_VERSION, type IR, type Listener, type Proxy, type VirtualHost } from '../../src/ir/types';
import { RATE_LIMIT_DOMAIN, rulesFromIr } from '../../src/ratelimit/rules-from-ir';
import { RateLimitRules, type DescriptorEntry } from '../../src/ratelimit/rules';
import { buildProxyResources } from '../../src/xds';

const source = { kind: 'Test', namespace: 'default', name: 'test' };

function route(name: string, policy?: RoutePolicy): Route {
  return {
    name,
    match: { path: { type: 'PathPrefix', value: `/${name}` } },
    action: { type: 'forward', backends: [{ cluster: 'backend', weight: 1 }] },
    ...(policy ? { policy } : {}),
    source,
  };
}

function listener(name: string, hosts: VirtualHost[], port = 8080): Listener {
  return {
    name,
    address: '0.0.0.0',
    port,
    protocol: 'HTTP',
    hostnames: [],
    virtualHosts: hosts,
    options: { accessLog: false, requestId: { generate: false, preserveExternal: false, returnInResponse: false }, websocket: false, http2: false },
    source,
  };
}

function proxy(name: string, listeners: Listener[], domain = RATE_LIMIT_DOMAIN): Proxy {
  return {
    name,
    kind: 'gateway',
    listeners,
    clusters: [{ name: 'backend', discovery: { type: 'static', endpoints: [{ address: '10.0.0.1', port: 80 }] }, source }, { name: 'rls', discovery: { type: 'static', endpoints: [{ address: '10.0.0.2', port: 18000 }] }, http2: true, source }],
    secrets: [],
    globalRateLimit: { cluster: 'rls', domain, failClosed: false, timeoutMs: 100 },
  };
}

const login: GlobalRateLimitPolicy = { id: 'team/login/route', requests: 5, unit: 'minute', key: { type: 'clientIP' } };
const tenant: GlobalRateLimitPolicy = { id: 'team/tenant/route', requests: 100, unit: 'hour', key: { type: 'header', name: 'x-tenant' } };
const site: GlobalRateLimitPolicy = { id: 'team/site/gateway', requests: 1000, unit: 'second' };

const ir: IR = {
  version: IR_VERSION,
  proxies: [
    proxy('gateway/team/a', [
      listener('http', [
        {
          name: 'site',
          domains: ['*'],
          policy: { globalRateLimit: site },
          routes: [route('login', { globalRateLimit: login }), route('tenant', { globalRateLimit: tenant }), route('home'), route('open', { cors: { allowOrigins: ['*'] } })],
        },
      ]),
    ]),
    // The same site policy on a second proxy group: one rule, shared counters.
    proxy('gateway/team/b', [listener('http', [{ name: 'b', domains: ['*'], routes: [route('b', { globalRateLimit: site })] }])]),
  ],
};

test('rules for unkeyed, per-client-IP and per-header policies in domain "meshgate", sorted by id', () => {
  assert.deepEqual(rulesFromIr(ir), {
    domains: [
      {
        domain: 'meshgate',
        rules: [
          { id: 'team/login/route', descriptor: [{ key: 'policy', value: 'team/login/route' }, { key: 'remote_address' }], requests: 5, unit: 'minute' },
          { id: 'team/site/gateway', descriptor: [{ key: 'policy', value: 'team/site/gateway' }], requests: 1000, unit: 'second' },
          { id: 'team/tenant/route', descriptor: [{ key: 'policy', value: 'team/tenant/route' }, { key: 'header' }], requests: 100, unit: 'hour' },
          { id: 'team/tenant/route#without-header', descriptor: [{ key: 'policy', value: 'team/tenant/route' }], requests: 100, unit: 'hour' },
        ],
      },
    ],
  });
});

test('pure: the same IR gives equal rules, and an IR without global limits gives none', () => {
  assert.deepEqual(rulesFromIr(ir), rulesFromIr(JSON.parse(JSON.stringify(ir)) as IR));
  const plain: IR = { version: IR_VERSION, proxies: [proxy('g', [listener('http', [{ name: 'h', domains: ['*'], routes: [route('r')] }])])] };
  assert.deepEqual(rulesFromIr(plain), { domains: [] });
});

test('a route\'s own policy replaces its host\'s: a host policy every route overrides gives no rule', () => {
  const overridden: IR = {
    version: IR_VERSION,
    proxies: [proxy('g', [listener('http', [{ name: 'h', domains: ['*'], policy: { globalRateLimit: site }, routes: [route('login', { globalRateLimit: login })] }])])],
  };
  assert.deepEqual(rulesFromIr(overridden).domains[0]!.rules.map((r) => r.id), ['team/login/route']);
});

test('a proxy whose IR names another domain gets its rules under that domain', () => {
  const other: IR = { version: IR_VERSION, proxies: [proxy('g', [listener('http', [{ name: 'h', domains: ['*'], routes: [route('r', { globalRateLimit: site })] }])], 'tenant-a')] };
  assert.deepEqual(rulesFromIr(other).domains.map((d) => d.domain), ['tenant-a']);
});

// --- the contract with src/xds: descriptors Envoy would send for the generated routes ---------------

interface Request {
  readonly ip: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** What Envoy's rate limit actions produce (the subset src/xds emits), per Envoy's docs. */
function descriptorsOf(rateLimits: readonly JsonObject[], request: Request): DescriptorEntry[][] {
  const out: DescriptorEntry[][] = [];
  for (const limit of rateLimits) {
    const entries: DescriptorEntry[] = [];
    let produced = true;
    for (const action of limit['actions'] as JsonObject[]) {
      if (action['generic_key']) {
        const a = action['generic_key'] as JsonObject;
        entries.push({ key: (a['descriptor_key'] as string | undefined) || 'generic_key', value: a['descriptor_value'] as string });
      } else if (action['remote_address']) {
        entries.push({ key: 'remote_address', value: request.ip });
      } else if (action['request_headers']) {
        const a = action['request_headers'] as JsonObject;
        const value = request.headers[a['header_name'] as string];
        if (value !== undefined) entries.push({ key: a['descriptor_key'] as string, value });
        else if (a['skip_if_absent'] !== true) produced = false;
      } else {
        assert.fail(`src/xds emitted a rate limit action this test does not model: ${JSON.stringify(action)}`);
      }
    }
    if (produced && entries.length > 0) out.push(entries);
  }
  return out;
}

function rateLimitsByRoute(p: Proxy): Map<string, JsonObject[]> {
  const byRoute = new Map<string, JsonObject[]>();
  for (const res of buildProxyResources(p)) {
    if (res.typeUrl !== TypeUrl.RouteConfiguration) continue;
    for (const vh of res.json['virtual_hosts'] as JsonObject[]) {
      for (const r of vh['routes'] as JsonObject[]) {
        const action = r['route'] as JsonObject | undefined;
        byRoute.set(String(r['name']), (action?.['rate_limits'] as JsonObject[] | undefined) ?? []);
      }
    }
  }
  return byRoute;
}

test('every descriptor the generated routes make Envoy send finds the rule of its policy', () => {
  const rules = new RateLimitRules(rulesFromIr(ir));
  const limits = rateLimitsByRoute(ir.proxies[0]!);
  const ruleIds = (routeName: string, request: Request): (string | undefined)[] => {
    const routeLimits = limits.get(routeName);
    assert.ok(routeLimits, `route ${routeName} is in the RouteConfiguration (have ${[...limits.keys()].join(', ')})`);
    return descriptorsOf(routeLimits, request).map((d) => rules.match(RATE_LIMIT_DOMAIN, d)?.id);
  };
  const withTenant: Request = { ip: '192.0.2.1', headers: { 'x-tenant': 'acme' } };
  const anonymous: Request = { ip: '192.0.2.1', headers: {} };
  assert.deepEqual(ruleIds('login', anonymous), ['team/login/route']);
  assert.deepEqual(ruleIds('tenant', withTenant), ['team/tenant/route']);
  assert.deepEqual(ruleIds('tenant', anonymous), ['team/tenant/route#without-header']);
  assert.deepEqual(ruleIds('home', anonymous), ['team/site/gateway'], 'inherits the host policy');
  assert.deepEqual(ruleIds('open', anonymous), ['team/site/gateway'], 'a route policy without globalRateLimit keeps the host\'s');
});
