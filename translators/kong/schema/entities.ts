// The decK file format (Kong 3.x, `_format_version: "3.0"`): every field decK writes for the
// entities meshgate reads, with unknown fields refused. Values are checked for type and range
// here; what a value means (and whether meshgate can honour it) is the converter's business.
// Credentials are `anything` here and checked by hand, so a refusal never quotes a secret.
import type { JsonObject, JsonValue } from '../../../src/envoy/resource';
import { anything, arr, bool, int, isJsonObject, map, num, obj, oneOfStrings, str, type ObjectSchema, type Schema, type SchemaIssue } from '../../schema';

const id = str({ minLength: 1 });
const tags = arr(str());
const timestamp = num(0);
const strings = arr(str());
/** A foreign reference: a name/id string, or {id} / {name} / {username} as decK and Kong accept. */
export const reference: Schema = anything;
/** `_comment` is for people (Kong's own `kong config init` template uses it); it is ignored. */
const common = { id, tags, created_at: timestamp, updated_at: timestamp, _comment: str() };

/** Secret-bearing fields: must be strings; the reason never includes the value. */
function secretFields(o: JsonObject, fields: readonly string[]): SchemaIssue[] {
  return fields.filter((f) => o[f] !== undefined && o[f] !== null && typeof o[f] !== 'string').map((f) => ({ path: f, reason: 'must be a string' }));
}

function referenceIssues(o: JsonObject, fields: readonly string[]): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  for (const f of fields) {
    const v = o[f];
    if (v === undefined || v === null || typeof v === 'string') continue;
    if (!isJsonObject(v) || !['id', 'name', 'username'].some((k) => typeof v[k] === 'string')) issues.push({ path: f, reason: 'must be a name or id, or an object with id, name or username' });
  }
  return issues;
}

export const pluginSchema: ObjectSchema = obj(
  {
    ...common,
    name: str({ minLength: 1 }),
    instance_name: str(),
    config: anything,
    enabled: bool,
    protocols: arr(oneOfStrings('grpc', 'grpcs', 'http', 'https', 'tcp', 'tls', 'tls_passthrough', 'udp', 'ws', 'wss')),
    service: reference,
    route: reference,
    consumer: reference,
    consumer_group: reference,
    run_on: str(),
    ordering: anything,
    _config: str(),
  },
  { required: ['name'], check: (p) => [...referenceIssues(p, ['service', 'route', 'consumer', 'consumer_group']), ...(p['config'] !== undefined && p['config'] !== null && !isJsonObject(p['config']) ? [{ path: 'config', reason: 'must be an object' }] : [])] },
);

const plugins = arr(pluginSchema);

export const routeSchema: ObjectSchema = obj(
  {
    ...common,
    name: str({ minLength: 1 }),
    protocols: arr(str({ minLength: 1 }), { minItems: 1 }),
    methods: strings,
    hosts: strings,
    paths: strings,
    headers: map(strings),
    https_redirect_status_code: { kind: 'integer', enum: [426, 301, 302, 307, 308] },
    regex_priority: int(),
    strip_path: bool,
    path_handling: oneOfStrings('v0', 'v1'),
    preserve_host: bool,
    request_buffering: bool,
    response_buffering: bool,
    snis: strings,
    sources: arr(anything),
    destinations: arr(anything),
    service: reference,
    expression: str(),
    priority: int(0),
    plugins,
  },
  { check: (r) => referenceIssues(r, ['service']) },
);

export const serviceSchema: ObjectSchema = obj({
  ...common,
  name: str({ minLength: 1 }),
  url: str({ minLength: 1 }),
  protocol: str({ minLength: 1 }),
  host: str({ minLength: 1 }),
  port: int(0, 65535),
  path: str(),
  retries: int(0, 32767),
  connect_timeout: int(1, 2 ** 31 - 2),
  read_timeout: int(1, 2 ** 31 - 2),
  write_timeout: int(1, 2 ** 31 - 2),
  client_certificate: reference,
  tls_verify: bool,
  tls_verify_depth: int(0, 64),
  ca_certificates: strings,
  tls_sans: anything,
  enabled: bool,
  routes: arr(routeSchema),
  plugins,
});

const statuses = arr(int(100, 999));
const counter = int(0, 255);
const seconds = num(0, 65535);

export const healthchecksSchema: ObjectSchema = obj({
  active: obj({
    type: oneOfStrings('tcp', 'http', 'https', 'grpc', 'grpcs'),
    timeout: seconds,
    concurrency: int(1, 2 ** 31),
    http_path: str(),
    https_sni: str(),
    https_verify_certificate: bool,
    headers: map(strings),
    healthy: obj({ interval: seconds, http_statuses: statuses, successes: counter }),
    unhealthy: obj({ interval: seconds, http_statuses: statuses, tcp_failures: counter, timeouts: counter, http_failures: counter }),
  }),
  passive: obj({
    type: oneOfStrings('tcp', 'http', 'https', 'grpc', 'grpcs'),
    healthy: obj({ http_statuses: statuses, successes: counter }),
    unhealthy: obj({ http_statuses: statuses, tcp_failures: counter, timeouts: counter, http_failures: counter }),
  }),
  threshold: num(0, 100),
});

export const targetSchema: ObjectSchema = obj({ ...common, target: str({ minLength: 1 }), weight: int(0, 65535), upstream: reference, failover: bool }, { required: ['target'], check: (t) => referenceIssues(t, ['upstream']) });

const hashOn = oneOfStrings('none', 'consumer', 'ip', 'header', 'cookie', 'path', 'query_arg', 'uri_capture');

export const upstreamSchema: ObjectSchema = obj(
  {
    ...common,
    name: str({ minLength: 1 }),
    algorithm: oneOfStrings('round-robin', 'consistent-hashing', 'least-connections', 'latency', 'sticky-sessions'),
    hash_on: hashOn,
    hash_fallback: hashOn,
    hash_on_header: str(),
    hash_fallback_header: str(),
    hash_on_cookie: str(),
    hash_on_cookie_path: str(),
    hash_on_query_arg: str(),
    hash_fallback_query_arg: str(),
    hash_on_uri_capture: str(),
    hash_fallback_uri_capture: str(),
    slots: int(10, 65536),
    healthchecks: healthchecksSchema,
    host_header: str(),
    client_certificate: reference,
    use_srv_name: bool,
    sticky_sessions_cookie: str(),
    sticky_sessions_cookie_path: str(),
    targets: arr(targetSchema),
  },
  { required: ['name'] },
);

const credentialCommon = { ...common, consumer: reference };

export const keyAuthSchema: ObjectSchema = obj({ ...credentialCommon, key: anything, ttl: int(0) }, { check: (k) => [...secretFields(k, ['key']), ...referenceIssues(k, ['consumer'])] });
export const basicAuthSchema: ObjectSchema = obj(
  { ...credentialCommon, username: str({ minLength: 1 }), password: anything },
  { required: ['username'], check: (b) => [...secretFields(b, ['password']), ...referenceIssues(b, ['consumer'])] },
);
export const jwtSecretSchema: ObjectSchema = obj(
  {
    ...credentialCommon,
    key: str(),
    secret: anything,
    algorithm: oneOfStrings('HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA'),
    rsa_public_key: str(),
  },
  { check: (j) => [...secretFields(j, ['secret']), ...referenceIssues(j, ['consumer'])] },
);
export const aclSchema: ObjectSchema = obj({ ...credentialCommon, group: str({ minLength: 1 }) }, { required: ['group'], check: (a) => referenceIssues(a, ['consumer']) });

export const consumerSchema: ObjectSchema = obj({
  ...common,
  username: str({ minLength: 1 }),
  custom_id: str({ minLength: 1 }),
  plugins,
  keyauth_credentials: arr(keyAuthSchema),
  basicauth_credentials: arr(basicAuthSchema),
  jwt_secrets: arr(jwtSecretSchema),
  acls: arr(aclSchema),
  hmacauth_credentials: arr(anything),
  oauth2_credentials: arr(anything),
  mtls_auth_credentials: arr(anything),
  groups: arr(anything),
});

export const sniSchema: ObjectSchema = obj({ ...common, name: str({ minLength: 1 }), certificate: reference }, { required: ['name'], check: (s) => referenceIssues(s, ['certificate']) });

export const certificateSchema: ObjectSchema = obj(
  { ...common, cert: str({ minLength: 1 }), key: anything, cert_alt: str(), key_alt: anything, snis: arr(anything) },
  { required: ['cert', 'key'], check: (c) => secretFields(c, ['key', 'key_alt']) },
);

export const caCertificateSchema: ObjectSchema = obj({ ...common, cert: str({ minLength: 1 }), cert_digest: str() }, { required: ['cert'] });

/** The whole file (KongConfiguration.spec). */
export const kongFileSchema: ObjectSchema = obj(
  {
    _format_version: str({ minLength: 1 }),
    _transform: bool,
    _info: obj({ select_tags: strings, defaults: anything }),
    _workspace: str(),
    _konnect: anything,
    _plugin_configs: anything,
    services: arr(serviceSchema),
    routes: arr(routeSchema),
    upstreams: arr(upstreamSchema),
    targets: arr(targetSchema),
    consumers: arr(consumerSchema),
    consumer_groups: arr(anything),
    plugins,
    certificates: arr(certificateSchema),
    snis: arr(sniSchema),
    ca_certificates: arr(caCertificateSchema),
    keyauth_credentials: arr(keyAuthSchema),
    basicauth_credentials: arr(basicAuthSchema),
    jwt_secrets: arr(jwtSecretSchema),
    acls: arr(aclSchema),
    hmacauth_credentials: arr(anything),
    oauth2_credentials: arr(anything),
    vaults: arr(anything),
    rbac_roles: arr(anything),
    service_packages: arr(anything),
    licenses: arr(anything),
  },
  { required: ['_format_version'] },
);

/** Items of a certificate's nested snis: a name string (decK) or an SNI object. */
export function sniEntry(value: JsonValue): { name?: string; object?: JsonObject } {
  if (typeof value === 'string') return { name: value };
  if (isJsonObject(value)) return { object: value };
  return {};
}
