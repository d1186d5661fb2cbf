// docker-compose.yml read the way `docker compose` reads it (YAML with anchors and merge keys, then
// ${VAR:-default} interpolation of string values), plus the questions the deploy tests ask of it:
// which services run Envoy, which file each Envoy starts with, which one-shot job writes that file,
// and where a path inside a container is in this repository. Nothing here knows the demo's
// service names: they all come from the compose file.
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';

export function repositoryRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'docker-compose.yml'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no repository root above ${__dirname}`);
  }
}

export const ROOT = repositoryRoot();
export const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');

export type Env = Readonly<Record<string, string>>;

export interface ServiceHealthcheck {
  readonly test?: readonly string[] | string;
}

export interface ComposeService {
  readonly image?: string;
  readonly build?: unknown;
  readonly command?: readonly string[] | string;
  readonly working_dir?: string;
  readonly environment?: Readonly<Record<string, string>>;
  readonly volumes?: readonly string[];
  readonly ports?: readonly string[];
  readonly networks?: readonly string[] | Readonly<Record<string, { readonly ipv4_address?: string } | null>>;
  readonly network_mode?: string;
  readonly depends_on?: readonly string[] | Readonly<Record<string, { readonly condition?: string }>>;
  readonly healthcheck?: ServiceHealthcheck;
}

export interface ComposeFile {
  readonly services: Readonly<Record<string, ComposeService>>;
  readonly volumes?: Readonly<Record<string, unknown>>;
  readonly networks?: Readonly<Record<string, { readonly ipam?: { readonly config?: readonly { subnet?: string; ip_range?: string }[] } }>>;
}

/**
 * Compose's interpolation of one string: $$ is a literal $, ${VAR}, ${VAR:-default} (default when
 * unset or empty), ${VAR-default} (default when unset) and $VAR. Other forms are not used by our
 * compose file and are refused rather than guessed.
 */
export function interpolate(text: string, env: Env): string {
  return text.replace(/\$(\$|\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (whole, _all: string, braced: string | undefined, bare: string | undefined) => {
    if (whole === '$$') return '$';
    if (bare !== undefined) return env[bare] ?? '';
    const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)(.*))?$/s.exec(braced ?? '');
    if (!match) throw new Error(`unsupported interpolation ${whole}`);
    const [, name, operator, fallback] = match;
    const value = env[name!];
    if (operator === ':-') return value === undefined || value === '' ? fallback! : value;
    if (operator === '-') return value === undefined ? fallback! : value;
    return value ?? '';
  });
}

function interpolateAll(value: unknown, env: Env): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((v) => interpolateAll(v, env));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v, env)]));
  return value;
}

export function rawCompose(): Record<string, unknown> {
  return yaml.load(fs.readFileSync(COMPOSE_FILE, 'utf8')) as Record<string, unknown>;
}

/** The compose file as `docker compose` sees it with these environment variables. */
export function loadCompose(env: Env = {}): ComposeFile {
  return interpolateAll(rawCompose(), env) as ComposeFile;
}

/** `docker compose --env-file` syntax: KEY=VALUE lines, # comments, blank lines. */
export function readEnvFile(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) throw new Error(`${file}: not KEY=VALUE: ${line}`);
    env[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return env;
}

export function commandOf(service: ComposeService): string[] {
  const command = service.command;
  if (command === undefined) return [];
  return typeof command === 'string' ? command.split(/\s+/).filter(Boolean) : [...command];
}

export function dependenciesOf(service: ComposeService): Record<string, string> {
  const deps = service.depends_on;
  if (!deps) return {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d: string) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps as Record<string, { condition?: string }>).map(([name, d]) => [name, d.condition ?? 'service_started']));
}

export interface Mount {
  /** "./..." for a bind mount (relative to the compose file), else a named volume. */
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
  readonly bind: boolean;
}

export function mountsOf(service: ComposeService): Mount[] {
  return (service.volumes ?? []).map((spec) => {
    const [source, target, mode] = spec.split(':');
    if (!source || !target) throw new Error(`volume "${spec}" is not source:target[:mode]`);
    return { source, target, readOnly: mode === 'ro', bind: source.startsWith('.') || source.startsWith('/') };
  });
}

/** The mount holding `containerPath` (the longest matching target). */
export function mountFor(service: ComposeService, containerPath: string): Mount | undefined {
  return mountsOf(service)
    .filter((m) => containerPath === m.target || containerPath.startsWith(m.target.endsWith('/') ? m.target : `${m.target}/`))
    .sort((a, b) => b.target.length - a.target.length)[0];
}

/** A container path (absolute, or relative to working_dir) under a bind mount, as a path in this repository. */
export function repoPathOf(service: ComposeService, containerPath: string): string | undefined {
  const absolute = path.posix.isAbsolute(containerPath) ? containerPath : path.posix.join(service.working_dir ?? '/', containerPath);
  const mount = mountFor(service, absolute);
  if (!mount || !mount.bind) return undefined;
  return path.join(ROOT, mount.source, path.posix.relative(mount.target, absolute));
}

export function isEnvoy(service: ComposeService): boolean {
  return (service.image ?? '').startsWith('envoyproxy/envoy:');
}

/** The value after `flag` in a command line. */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  return at >= 0 ? args[at + 1] : undefined;
}

/** `node dist/src/cli/main.js <args>`: the meshgate CLI arguments of a one-shot job, else undefined. */
export function meshgateCliArgs(service: ComposeService): string[] | undefined {
  const command = commandOf(service);
  return command[0] === 'node' && command[1] === 'dist/src/cli/main.js' ? command.slice(2) : undefined;
}

export interface EnvoyService {
  readonly name: string;
  readonly service: ComposeService;
  /** The -c file inside the Envoy container. */
  readonly bootstrapPath: string;
  /** The named volume it comes from, and the job (service) that writes it there. */
  readonly volume: string;
  readonly job: { readonly name: string; readonly service: ComposeService; readonly args: readonly string[]; readonly out: string };
}

/** Every Envoy of the compose file, with the job that writes its bootstrap. */
export function envoyServices(compose: ComposeFile): EnvoyService[] {
  return Object.entries(compose.services)
    .filter(([, s]) => isEnvoy(s))
    .map(([name, service]) => {
      const command = commandOf(service);
      const bootstrapPath = flagValue(command, '-c') ?? flagValue(command, '--config-path');
      if (!bootstrapPath) throw new Error(`${name}: the command has no -c <bootstrap>`);
      const mount = mountFor(service, bootstrapPath);
      if (!mount || mount.bind) throw new Error(`${name}: ${bootstrapPath} does not come from a named volume`);
      const jobs = Object.entries(compose.services).flatMap(([jobName, jobService]) => {
        const args = meshgateCliArgs(jobService);
        const jobMount = mountsOf(jobService).find((m) => m.source === mount.source && !m.readOnly);
        if (!args || args[0] !== 'bootstrap' || !jobMount) return [];
        const out = flagValue(args, '--out');
        if (!out) return [];
        // The file the job writes, seen from the Envoy container.
        const inEnvoy = path.posix.join(mount.target, path.posix.relative(jobMount.target, out));
        return inEnvoy === bootstrapPath ? [{ name: jobName, service: jobService, args, out }] : [];
      });
      if (jobs.length !== 1) throw new Error(`${name}: ${jobs.length} jobs write ${bootstrapPath} (volume ${mount.source}), expected one`);
      return { name, service, bootstrapPath, volume: mount.source, job: jobs[0]! };
    });
}

/** The service that runs the control plane: the one whose command runs `npm start` (meshgate serve). */
export function controlPlaneService(compose: ComposeFile): [string, ComposeService] {
  const found = Object.entries(compose.services).filter(([, s]) => commandOf(s).join(' ').includes('npm start'));
  if (found.length !== 1) throw new Error(`expected one service running npm start, found ${found.length}`);
  return found[0]!;
}

export function ipv4Of(service: ComposeService): string | undefined {
  const networks = service.networks;
  if (!networks || Array.isArray(networks)) return undefined;
  for (const n of Object.values(networks as Record<string, { ipv4_address?: string } | null>)) if (n?.ipv4_address) return n.ipv4_address;
  return undefined;
}

/** "8080:8080", "127.0.0.1:9901:9901" → the container port. */
export function containerPortOf(spec: string): number {
  const parts = spec.split(':');
  return Number(parts[parts.length - 1]!.split('/')[0]);
}
