// A Kong file as entities with their Kong paths and resolved references. decK lets entities nest
// (routes in services, targets in upstreams, credentials and plugins in consumers, snis in
// certificates) or sit at the top level with a foreign reference ("service: name-or-id"); both
// forms end up here the same way. Dangling and ambiguous references are errors.
import type { JsonObject, JsonValue } from '../../src/envoy/resource';
import { getObjects, getString } from '../core/json';
import { checkSchema, isJsonObject } from '../schema';
import { at, type Problems } from './problems';
import { kongFileSchema, sniEntry } from './schema/entities';

export interface Entity {
  /** Kong path of the entity, e.g. "services[0].routes[1]". */
  readonly path: string;
  readonly raw: JsonObject;
}

export interface KongService extends Entity {
  readonly index: number;
  readonly routes: KongRoute[];
}
export interface KongRoute extends Entity {
  readonly index: number;
  service?: KongService;
}
export interface KongTarget extends Entity {
  upstream?: KongUpstream;
}
export interface KongUpstream extends Entity {
  readonly targets: KongTarget[];
}
export interface KongCredential extends Entity {
  consumer?: KongConsumer;
}
export interface KongConsumer extends Entity {
  readonly index: number;
  readonly keyAuths: KongCredential[];
  readonly basicAuths: KongCredential[];
  readonly jwtSecrets: KongCredential[];
  readonly acls: KongCredential[];
}
export interface KongPlugin extends Entity {
  readonly name: string;
  readonly index: number;
  service?: KongService;
  route?: KongRoute;
  consumer?: KongConsumer;
}
export interface KongSni extends Entity {
  readonly name: string;
  certificate?: KongCertificate;
}
export interface KongCertificate extends Entity {
  readonly snis: KongSni[];
}

export interface KongModel {
  readonly spec: JsonObject;
  readonly services: KongService[];
  /** Every route, nested or top-level, in file order (services' routes first). */
  readonly routes: KongRoute[];
  readonly upstreams: KongUpstream[];
  readonly consumers: KongConsumer[];
  readonly plugins: KongPlugin[];
  readonly certificates: KongCertificate[];
  readonly caCertificates: Entity[];
  /** `_transform: false`: credentials are already in Kong's stored (hashed) form. */
  readonly transformed: boolean;
}

const SUPPORTED_FORMATS = ['3.0'];

/** A reference value as decK writes it: "name-or-id" or {id} / {name} / {username}. */
function referenceOf(value: JsonValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (isJsonObject(value)) for (const k of ['id', 'name', 'username']) if (typeof value[k] === 'string') return value[k] as string;
  return undefined;
}

/** Entities by id and by their name field(s); a name used twice is reported once. */
class Lookup<T extends Entity> {
  private readonly byKey = new Map<string, T>();

  constructor(
    private readonly what: string,
    private readonly problems: Problems,
  ) {}

  add(entity: T, nameFields: readonly string[]): void {
    const id = getString(entity.raw, 'id');
    if (id !== undefined) this.claim(`id:${id}`, entity, 'id', `id "${id}"`);
    for (const f of nameFields) {
      const name = getString(entity.raw, f);
      if (name !== undefined) this.claim(`name:${name}`, entity, f, `${f} "${name}"`);
    }
  }

  private claim(key: string, entity: T, field: string, label: string): void {
    const other = this.byKey.get(key);
    if (other && other !== entity) this.problems.error(at(entity.path, field), `${this.what} ${label} is also used by ${other.path}`);
    else this.byKey.set(key, entity);
  }

  resolve(value: JsonValue | undefined, path: string): T | undefined {
    const ref = referenceOf(value);
    if (ref === undefined) return undefined;
    const found = this.byKey.get(`id:${ref}`) ?? this.byKey.get(`name:${ref}`);
    if (!found) this.problems.error(path, `no ${this.what} "${ref}" in this file`);
    return found;
  }
}

function formatProblem(version: string | undefined): string | undefined {
  if (version === undefined) return 'required: "3.0" (the decK format of Kong 3.x)';
  if (SUPPORTED_FORMATS.includes(version)) return undefined;
  if (version === '1.1' || version === '2.1') {
    return `"${version}" is the Kong 2.x format, where regex paths have no "~" prefix; convert it first (deck file convert --from kong-gateway-2.x --to kong-gateway-3.x) and use "3.0"`;
  }
  return `"${version}" is not a decK format meshgate reads (use "3.0")`;
}

/** The file's entities, or undefined when it does not have the decK shape (errors say why). */
export function readKongModel(spec: JsonObject, problems: Problems): KongModel | undefined {
  for (const issue of checkSchema(kongFileSchema, spec, '')) problems.error(issue.path, issue.reason);
  if (problems.failed) return undefined;
  const format = formatProblem(getString(spec, '_format_version'));
  if (format) {
    problems.error('_format_version', format);
    return undefined;
  }
  reportFileLevel(spec, problems);

  const services: KongService[] = [];
  const routes: KongRoute[] = [];
  const upstreams: KongUpstream[] = [];
  const consumers: KongConsumer[] = [];
  const plugins: KongPlugin[] = [];
  const certificates: KongCertificate[] = [];
  const serviceLookup = new Lookup<KongService>('service', problems);
  const routeLookup = new Lookup<KongRoute>('route', problems);
  const upstreamLookup = new Lookup<KongUpstream>('upstream', problems);
  const consumerLookup = new Lookup<KongConsumer>('consumer', problems);
  const certificateLookup = new Lookup<KongCertificate>('certificate', problems);
  const pending: { entity: { service?: KongService; route?: KongRoute; consumer?: KongConsumer; upstream?: KongUpstream; certificate?: KongCertificate }; field: 'service' | 'route' | 'consumer' | 'upstream' | 'certificate'; value: JsonValue; path: string }[] = [];
  const later = (entity: (typeof pending)[number]['entity'], raw: JsonObject, path: string, field: (typeof pending)[number]['field']): void => {
    const value = raw[field];
    if (value !== undefined && value !== null) pending.push({ entity, field, value, path: at(path, field) });
  };

  const addPlugin = (raw: JsonObject, path: string, scope: { service?: KongService; route?: KongRoute; consumer?: KongConsumer }): void => {
    const plugin: KongPlugin = { path, raw, name: getString(raw, 'name') ?? '', index: plugins.length, ...scope };
    for (const field of ['service', 'route', 'consumer'] as const) {
      if (scope[field] && raw[field] !== undefined && raw[field] !== null) problems.error(at(path, field), `a plugin nested in a ${field} is already scoped to it`);
      else later(plugin, raw, path, field);
    }
    plugins.push(plugin);
  };
  const addRoute = (raw: JsonObject, path: string, service: KongService | undefined): void => {
    const route: KongRoute = { path, raw, index: routes.length, ...(service ? { service } : {}) };
    routeLookup.add(route, ['name']);
    if (service) {
      service.routes.push(route);
      if (raw['service'] !== undefined && raw['service'] !== null) problems.error(at(path, 'service'), 'a route nested in a service already belongs to it');
    } else later(route, raw, path, 'service');
    routes.push(route);
    // decK stores a plugin nested in a route with the route alone as its scope (not route+service).
    getObjects(raw, 'plugins').forEach((p, i) => addPlugin(p, at(path, `plugins[${i}]`), { route }));
  };

  getObjects(spec, 'services').forEach((raw, i) => {
    const path = `services[${i}]`;
    const service: KongService = { path, raw, index: i, routes: [] };
    serviceLookup.add(service, ['name']);
    services.push(service);
  });
  services.forEach((service) => {
    getObjects(service.raw, 'routes').forEach((r, j) => addRoute(r, at(service.path, `routes[${j}]`), service));
    getObjects(service.raw, 'plugins').forEach((p, k) => addPlugin(p, at(service.path, `plugins[${k}]`), { service }));
  });
  getObjects(spec, 'routes').forEach((raw, i) => addRoute(raw, `routes[${i}]`, undefined));

  const addTarget = (upstream: KongUpstream | undefined, raw: JsonObject, path: string): void => {
    const target: KongTarget = { path, raw, ...(upstream ? { upstream } : {}) };
    if (upstream) upstream.targets.push(target);
    else later(target, raw, path, 'upstream');
    allTargets.push(target);
  };
  const allTargets: KongTarget[] = [];
  getObjects(spec, 'upstreams').forEach((raw, i) => {
    const upstream: KongUpstream = { path: `upstreams[${i}]`, raw, targets: [] };
    upstreamLookup.add(upstream, ['name']);
    upstreams.push(upstream);
    getObjects(raw, 'targets').forEach((t, j) => addTarget(upstream, t, at(upstream.path, `targets[${j}]`)));
  });
  getObjects(spec, 'targets').forEach((raw, i) => addTarget(undefined, raw, `targets[${i}]`));

  const credentialKinds = [
    ['keyauth_credentials', 'keyAuths'],
    ['basicauth_credentials', 'basicAuths'],
    ['jwt_secrets', 'jwtSecrets'],
    ['acls', 'acls'],
  ] as const;
  const looseCredentials: { list: (typeof credentialKinds)[number][1]; credential: KongCredential }[] = [];
  getObjects(spec, 'consumers').forEach((raw, i) => {
    const path = `consumers[${i}]`;
    const consumer: KongConsumer = { path, raw, index: i, keyAuths: [], basicAuths: [], jwtSecrets: [], acls: [] };
    consumerLookup.add(consumer, ['username', 'custom_id']);
    consumers.push(consumer);
    for (const [field, list] of credentialKinds) {
      getObjects(raw, field).forEach((c, j) => {
        const cpath = at(path, `${field}[${j}]`);
        if (c['consumer'] !== undefined && c['consumer'] !== null) problems.error(at(cpath, 'consumer'), 'a credential nested in a consumer already belongs to it');
        consumer[list].push({ path: cpath, raw: c, consumer });
      });
    }
    getObjects(raw, 'plugins').forEach((p, k) => addPlugin(p, at(path, `plugins[${k}]`), { consumer }));
    for (const field of ['hmacauth_credentials', 'oauth2_credentials', 'mtls_auth_credentials', 'groups']) {
      if ((raw[field] as JsonValue[] | undefined)?.length) problems.cannotHonour(at(path, field), `${field} are not supported by meshgate`);
    }
  });
  for (const [field, list] of credentialKinds) {
    getObjects(spec, field).forEach((c, j) => {
      const path = `${field}[${j}]`;
      const credential: KongCredential = { path, raw: c };
      if (c['consumer'] === undefined || c['consumer'] === null) problems.error(at(path, 'consumer'), 'a top-level credential needs the consumer it belongs to');
      else later(credential, c, path, 'consumer');
      looseCredentials.push({ list, credential });
    });
  }
  getObjects(spec, 'plugins').forEach((raw, i) => addPlugin(raw, `plugins[${i}]`, {}));

  const allSnis: KongSni[] = [];
  getObjects(spec, 'certificates').forEach((raw, i) => {
    const certificate: KongCertificate = { path: `certificates[${i}]`, raw, snis: [] };
    certificateLookup.add(certificate, []);
    certificates.push(certificate);
    ((raw['snis'] as JsonValue[] | undefined) ?? []).forEach((value, j) => {
      const entry = sniEntry(value);
      const name = entry.name ?? getString(entry.object, 'name');
      const path = at(certificate.path, `snis[${j}]`);
      if (name === undefined) problems.error(path, 'an SNI is a name, or an object with a name');
      else certificate.snis.push({ path, raw: entry.object ?? { name }, name, certificate });
    });
  });
  getObjects(spec, 'snis').forEach((raw, i) => {
    const sni: KongSni = { path: `snis[${i}]`, raw, name: getString(raw, 'name') ?? '' };
    if (raw['certificate'] === undefined || raw['certificate'] === null) problems.error(`snis[${i}].certificate`, 'a top-level SNI needs its certificate');
    else later(sni, raw, sni.path, 'certificate');
    allSnis.push(sni);
  });

  const caCertificates: Entity[] = getObjects(spec, 'ca_certificates').map((raw, i) => ({ path: `ca_certificates[${i}]`, raw }));

  for (const p of pending) {
    switch (p.field) {
      case 'service': {
        const s = serviceLookup.resolve(p.value, p.path);
        if (s) p.entity.service = s;
        break;
      }
      case 'route': {
        const r = routeLookup.resolve(p.value, p.path);
        if (r) p.entity.route = r;
        break;
      }
      case 'consumer': {
        const c = consumerLookup.resolve(p.value, p.path);
        if (c) p.entity.consumer = c;
        break;
      }
      case 'upstream': {
        const u = upstreamLookup.resolve(p.value, p.path);
        if (u) p.entity.upstream = u;
        break;
      }
      case 'certificate': {
        const c = certificateLookup.resolve(p.value, p.path);
        if (c) p.entity.certificate = c;
        break;
      }
    }
  }
  for (const route of routes.filter((r) => r.path.startsWith('routes['))) route.service?.routes.push(route);
  for (const target of allTargets) if (target.path.startsWith('targets[')) target.upstream?.targets.push(target);
  for (const { list, credential } of looseCredentials) credential.consumer?.[list].push(credential);
  for (const sni of allSnis) sni.certificate?.snis.push(sni);
  for (const plugin of plugins) {
    // A plugin on a route of another service than the one it names never runs in Kong either.
    if (plugin.route && plugin.service && plugin.route.service !== plugin.service) problems.error(plugin.path, `route ${plugin.route.path} does not belong to service ${plugin.service.path}`);
  }
  if (problems.failed) return undefined;
  return { spec, services, routes, upstreams, consumers, plugins, certificates, caCertificates, transformed: spec['_transform'] !== false };
}

function reportFileLevel(spec: JsonObject, problems: Problems): void {
  const workspace = getString(spec, '_workspace');
  if (workspace !== undefined && workspace !== 'default') problems.warn('_workspace', `workspace "${workspace}" is not used by meshgate: the file is served as one Gateway`);
  const info = spec['_info'];
  if (isJsonObject(info) && info['defaults'] !== undefined && info['defaults'] !== null && Object.keys(info['defaults'] as JsonObject).length > 0) {
    problems.cannotHonour('_info.defaults', 'decK defaults are not applied by meshgate; write the values on the entities');
  }
  if (spec['_konnect'] !== undefined && spec['_konnect'] !== null) problems.warn('_konnect', 'Konnect settings have no meaning for meshgate and are ignored');
  if (spec['_plugin_configs'] !== undefined && spec['_plugin_configs'] !== null) problems.cannotHonour('_plugin_configs', 'shared plugin configurations are not supported; write the config on each plugin');
  for (const field of ['consumer_groups', 'vaults', 'rbac_roles', 'service_packages', 'licenses', 'hmacauth_credentials', 'oauth2_credentials']) {
    const list = spec[field];
    if (Array.isArray(list) && list.length > 0) problems.cannotHonour(field, `${field} are not supported by meshgate`);
  }
}
