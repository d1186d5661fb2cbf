// Control-plane settings: embedded defaults, overridden by environment variables, overridden by flags.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ControlPlaneOptions {
  readonly xdsHost: string;
  readonly xdsPort: number;
  readonly adminHost: string;
  readonly adminPort: number;
  readonly dataDir: string;
  /** Bearer token every /v1 admin call must present; undefined = loopback-only admin API. */
  readonly adminToken?: string;
  readonly logLevel: string;
  /** control_plane.identifier in every xDS response: which replica served the proxy. */
  readonly identifier: string;
  /** Global rate-limit counters in this Redis (shared by replicas); in memory when absent. */
  readonly redisUrl?: string;
  /** SPIFFE trust domain of workload certificates (default cluster.local). */
  readonly trustDomain?: string;
  /** Operator-supplied CA: signing certificate (bundle up to the root) and key, PEM files. */
  readonly caCertFile?: string;
  readonly caKeyFile?: string;
  /** Lifetime of workload certificates (default 24 h); renewed at half life. */
  readonly workloadCertTtlMs?: number;
  /** TLS on the xDS port: server certificate chain and key (PEM files). */
  readonly xdsTlsCertFile?: string;
  readonly xdsTlsKeyFile?: string;
  /** With TLS: require client certificates issued by this CA bundle (PEM file). */
  readonly xdsTlsClientCaFile?: string;
}

export class OptionsError extends Error {
  override name = 'OptionsError';
}

export interface OptionSpec {
  readonly flag: string;
  readonly env: string;
  readonly help: string;
}

export const OPTION_SPECS = {
  xdsHost: { flag: '--xds-host', env: 'MESHGATE_XDS_HOST', help: 'address the xDS gRPC server binds (default 0.0.0.0)' },
  xdsPort: { flag: '--xds-port', env: 'MESHGATE_XDS_PORT', help: 'xDS gRPC port (default 18000)' },
  adminHost: { flag: '--admin-host', env: 'MESHGATE_ADMIN_HOST', help: 'admin API address (default 127.0.0.1; other addresses need a token)' },
  adminPort: { flag: '--admin-port', env: 'MESHGATE_ADMIN_PORT', help: 'admin REST API port (default 9000)' },
  dataDir: { flag: '--data-dir', env: 'MESHGATE_DATA_DIR', help: 'where accepted state is kept (default ./data)' },
  adminToken: { flag: '--admin-token', env: 'MESHGATE_ADMIN_TOKEN', help: 'bearer token for the admin API' },
  adminTokenFile: { flag: '--admin-token-file', env: 'MESHGATE_ADMIN_TOKEN_FILE', help: 'file holding the admin API token' },
  logLevel: { flag: '--log-level', env: 'MESHGATE_LOG_LEVEL', help: 'pino log level (default info)' },
  identifier: { flag: '--id', env: 'MESHGATE_ID', help: 'control plane identifier (default <hostname>-<pid>)' },
  redisUrl: { flag: '--redis-url', env: 'MESHGATE_REDIS_URL', help: 'redis://[:password@]host:port/db for global rate-limit counters (default: in memory)' },
  trustDomain: { flag: '--trust-domain', env: 'MESHGATE_TRUST_DOMAIN', help: 'SPIFFE trust domain of workload certificates (default cluster.local)' },
  caCert: { flag: '--ca-cert', env: 'MESHGATE_CA_CERT', help: 'CA certificate PEM (signing cert first, then issuers up to the root); default: a root kept in <data-dir>/ca' },
  caKey: { flag: '--ca-key', env: 'MESHGATE_CA_KEY', help: 'private key PEM of --ca-cert' },
  workloadCertTtl: { flag: '--workload-cert-ttl', env: 'MESHGATE_WORKLOAD_CERT_TTL', help: 'workload certificate lifetime, e.g. 24h, 90m (default 24h; renewed at half life)' },
  xdsTlsCert: { flag: '--xds-tls-cert', env: 'MESHGATE_XDS_TLS_CERT', help: 'serve xDS over TLS with this certificate chain (PEM)' },
  xdsTlsKey: { flag: '--xds-tls-key', env: 'MESHGATE_XDS_TLS_KEY', help: 'private key (PEM) of --xds-tls-cert' },
  xdsTlsClientCa: { flag: '--xds-tls-client-ca', env: 'MESHGATE_XDS_TLS_CLIENT_CA', help: 'require xDS client certificates issued by this CA (PEM); a SPIFFE ID in one proves the workload' },
} as const satisfies Record<string, OptionSpec>;

type OptionKey = keyof typeof OPTION_SPECS;

/** Parse "--flag value" and "--flag=value" pairs; unknown flags are errors. Returns leftovers. */
export function parseFlags(argv: readonly string[], known: readonly string[]): { values: Map<string, string>; rest: string[] } {
  const values = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      rest.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    if (!known.includes(flag)) throw new OptionsError(`unknown option ${flag}`);
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new OptionsError(`option ${flag} needs a value`);
    values.set(flag, value);
  }
  return { values, rest };
}

function port(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new OptionsError(`${what} must be a port number (0-65535), got "${text}"`);
  return n;
}

export function resolveOptions(flags: ReadonlyMap<string, string>, env: NodeJS.ProcessEnv = process.env): ControlPlaneOptions {
  const get = (key: OptionKey): string | undefined => {
    const spec = OPTION_SPECS[key];
    return flags.get(spec.flag) ?? (env[spec.env] !== undefined && env[spec.env] !== '' ? env[spec.env] : undefined);
  };
  let adminToken = get('adminToken');
  const tokenFile = get('adminTokenFile');
  if (!adminToken && tokenFile) {
    try {
      adminToken = fs.readFileSync(tokenFile, 'utf8').trim();
    } catch (err) {
      throw new OptionsError(`cannot read admin token file ${tokenFile}: ${(err as Error).message}`);
    }
    if (!adminToken) throw new OptionsError(`admin token file ${tokenFile} is empty`);
  }
  const adminHost = get('adminHost') ?? '127.0.0.1';
  if (!adminToken && !isLoopback(adminHost)) {
    throw new OptionsError(`the admin API may listen on ${adminHost} only with a token (set MESHGATE_ADMIN_TOKEN or --admin-token-file)`);
  }
  return {
    xdsHost: get('xdsHost') ?? '0.0.0.0',
    xdsPort: port(get('xdsPort') ?? '18000', 'xDS port'),
    adminHost,
    adminPort: port(get('adminPort') ?? '9000', 'admin port'),
    dataDir: path.resolve(get('dataDir') ?? 'data'),
    ...(adminToken ? { adminToken } : {}),
    logLevel: get('logLevel') ?? 'info',
    identifier: get('identifier') ?? `${os.hostname()}-${process.pid}`,
    ...(get('redisUrl') ? { redisUrl: get('redisUrl')! } : {}),
    ...identityOptions(get),
  };
}

/** The CA, workload certificate and xDS TLS settings, checked for the combinations that work. */
function identityOptions(get: (key: OptionKey) => string | undefined): Partial<ControlPlaneOptions> {
  const trustDomain = get('trustDomain');
  if (trustDomain !== undefined && !/^[a-z0-9._-]+$/.test(trustDomain)) {
    throw new OptionsError(`--trust-domain must be lowercase letters, digits, ".", "-" or "_" (a SPIFFE trust domain), got "${trustDomain}"`);
  }
  const caCertFile = get('caCert');
  const caKeyFile = get('caKey');
  if (!caCertFile !== !caKeyFile) throw new OptionsError('--ca-cert and --ca-key go together: give both or neither');
  const ttl = get('workloadCertTtl');
  const xdsTlsCertFile = get('xdsTlsCert');
  const xdsTlsKeyFile = get('xdsTlsKey');
  const xdsTlsClientCaFile = get('xdsTlsClientCa');
  if (!xdsTlsCertFile !== !xdsTlsKeyFile) throw new OptionsError('--xds-tls-cert and --xds-tls-key go together: give both or neither');
  if (xdsTlsClientCaFile && !xdsTlsCertFile) throw new OptionsError('--xds-tls-client-ca needs --xds-tls-cert and --xds-tls-key (client certificates are checked in the TLS handshake)');
  return {
    ...(trustDomain ? { trustDomain } : {}),
    ...(caCertFile && caKeyFile ? { caCertFile: path.resolve(caCertFile), caKeyFile: path.resolve(caKeyFile) } : {}),
    ...(ttl !== undefined ? { workloadCertTtlMs: parseDuration(ttl, '--workload-cert-ttl') } : {}),
    ...(xdsTlsCertFile && xdsTlsKeyFile ? { xdsTlsCertFile: path.resolve(xdsTlsCertFile), xdsTlsKeyFile: path.resolve(xdsTlsKeyFile) } : {}),
    ...(xdsTlsClientCaFile ? { xdsTlsClientCaFile: path.resolve(xdsTlsClientCaFile) } : {}),
  };
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "24h", "90m", "45s", "1h30m", "1500ms" → milliseconds (at least one second). */
export function parseDuration(text: string, what: string): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  const consumed = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || consumed !== text.trim()) throw new OptionsError(`${what} must be a duration such as 24h, 90m or 45s, got "${text}"`);
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * DURATION_UNITS_MS[p[2]!]!, 0);
  if (ms < 1000) throw new OptionsError(`${what} must be at least 1s, got "${text}"`);
  return ms;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** One line per option: flag, environment variable, meaning. */
export function optionsHelp(specs: Readonly<Record<string, OptionSpec>> = OPTION_SPECS): string {
  return Object.values(specs)
    .map((s) => `  ${s.flag.padEnd(20)} ${s.env.padEnd(28)} ${s.help}`)
    .join('\n');
}
