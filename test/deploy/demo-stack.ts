// The docker-compose demo without Docker: a real control plane (src/app.ts, as `meshgate serve`
// starts it) with the compose file's admin token, the compose file's one-shot jobs run as they are
// written (the same `meshgate` command lines; only the admin URL, the volume directories and the
// file owner are this machine's), and for every Envoy service an ADS client with the node of the
// bootstrap its job wrote, subscribing as Envoy does.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import pino from 'pino';
import { startControlPlane, type ControlPlane } from '../../src/app';
import type { JsonObject } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';
import { runCli, type CliResult } from '../cli/helpers';
import { controlPlaneService, envoyServices, mountFor, repoPathOf, type ComposeService, type EnvoyService } from './compose';
import { applyJob, type DemoFormat } from './demo-sets';
import { EnvoyLikeClient } from './envoy-like-client';

/** The meshgate CLI options whose values are files. */
const PATH_FLAGS = new Set(['-f', '--template', '--out']);

export interface DemoProxy {
  readonly envoy: EnvoyService;
  /** The bootstrap the job wrote, as Envoy would read it. */
  readonly bootstrap: JsonObject;
  readonly node: { readonly id: string; readonly cluster?: string; readonly metadata: Readonly<Record<string, string>> };
  readonly group: string;
  readonly client: EnvoyLikeClient;
}

export interface DemoStack {
  readonly format: DemoFormat;
  readonly plane: ControlPlane;
  readonly adminToken: string;
  readonly adminUrl: string;
  /** The compose service name and xDS port of the control plane (what bootstraps point at). */
  readonly controlPlane: { readonly name: string; readonly adminPort: number; readonly xdsPort: number };
  readonly startup: CliResult;
  readonly proxies: readonly DemoProxy[];
  /** Run a meshgate CLI command the way the compose jobs reach the admin API. */
  cli(args: readonly string[]): Promise<CliResult>;
  /** An admin API call with the compose file's token. */
  admin(method: string, route: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function startDemoStack(format: DemoFormat): Promise<DemoStack> {
  const compose = format.compose;
  const [cpName, cpService] = controlPlaneService(compose);
  const cpEnv = cpService.environment ?? {};
  const adminToken = cpEnv['MESHGATE_ADMIN_TOKEN'];
  if (!adminToken) throw new Error(`${cpName} has no MESHGATE_ADMIN_TOKEN`);
  const controlPlane = { name: cpName, adminPort: Number(cpEnv['MESHGATE_ADMIN_PORT']), xdsPort: Number(cpEnv['MESHGATE_XDS_PORT']) };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `meshgate-compose-${format.name}-`));
  const dataDir = path.join(work, 'data');
  const plane = await startControlPlane(
    { xdsHost: '127.0.0.1', xdsPort: 0, adminHost: '127.0.0.1', adminPort: 0, dataDir, logLevel: 'silent', identifier: `compose-${format.name}`, adminToken },
    pino({ level: 'silent' }),
    { debounceMs: 5, maxDelayMs: 50 },
  );
  const adminUrl = `http://127.0.0.1:${plane.adminPort}`;
  const composeAdminUrl = `http://${cpName}:${controlPlane.adminPort}`;
  const volumeDir = (volume: string): string => {
    const dir = path.join(work, 'volumes', volume);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  };

  /** A job's argument on this machine: repository files, named volumes, the admin URL, the owner. */
  const localArg = (service: ComposeService, arg: string, previous: string | undefined): string => {
    if (arg.startsWith(composeAdminUrl)) return adminUrl + arg.slice(composeAdminUrl.length);
    if (previous === '--owner') return `${process.getuid!()}:${process.getgid!()}`;
    if (previous === undefined || !PATH_FLAGS.has(previous)) return arg;
    const absolute = path.posix.isAbsolute(arg) ? arg : path.posix.join(service.working_dir ?? '/', arg);
    const mount = mountFor(service, absolute);
    if (!mount) throw new Error(`${previous} ${arg} is in no volume of the job`);
    if (mount.bind) return repoPathOf(service, arg)!;
    return path.join(volumeDir(mount.source), path.posix.relative(mount.target, absolute));
  };
  const jobEnv = (service: ComposeService): Record<string, string> =>
    Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, v.startsWith(composeAdminUrl) ? adminUrl + v.slice(composeAdminUrl.length) : v]));
  const runJob = (service: ComposeService, args: readonly string[]): Promise<CliResult> =>
    runCli(
      args.map((a, i) => localArg(service, a, args[i - 1])),
      { env: jobEnv(service) },
    );

  const cleanup = async (): Promise<void> => {
    await plane.close();
    fs.rmSync(work, { recursive: true, force: true });
  };
  try {
    const starter = applyJob(compose);
    const startup = await runJob(starter.service, starter.args);
    if (startup.code !== 0) throw new Error(`${starter.name} failed: ${startup.stderr}`);
    const proxies: DemoProxy[] = [];
    for (const envoy of envoyServices(compose)) {
      const result = await runJob(envoy.job.service, envoy.job.args);
      if (result.code !== 0) throw new Error(`${envoy.job.name} failed: ${result.stderr}`);
      const mount = mountFor(envoy.service, envoy.bootstrapPath)!;
      const file = path.join(volumeDir(mount.source), path.posix.relative(mount.target, envoy.bootstrapPath));
      const bootstrap = yaml.load(fs.readFileSync(file, 'utf8')) as JsonObject;
      const node = bootstrap['node'] as unknown as DemoProxy['node'];
      const group = node.metadata['meshgate_group'] ?? node.cluster ?? 'default';
      proxies.push({ envoy, bootstrap, node, group, client: new EnvoyLikeClient(`127.0.0.1:${plane.xdsPort}`, node as unknown as JsonObject) });
    }
    const stack: DemoStack = {
      format,
      plane,
      adminToken,
      adminUrl,
      controlPlane,
      startup,
      proxies,
      cli: (args) => runCli(args, { env: { MESHGATE_ADMIN_URL: adminUrl, MESHGATE_ADMIN_TOKEN: adminToken } }),
      async admin(method, route, body) {
        const response = await fetch(`${adminUrl}${route}`, {
          method,
          headers: { authorization: `Bearer ${adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        return { status: response.status, body: await response.json() };
      },
      async settle() {
        // Push what is debounced now, then wait until each proxy holds the server's current
        // clusters and listeners (wildcard types: their version is the snapshot's) and is quiet.
        plane.cache.flush();
        const since = Date.now();
        await Promise.all(
          proxies.map((p) =>
            p.client.settle({
              since,
              ready: () => {
                const snapshot = plane.cache.getSnapshot(p.group);
                return [TypeUrl.Cluster, TypeUrl.Listener].every((t) => snapshot !== undefined && p.client.versionOf(t) === snapshot.typeVersions.get(t));
              },
            }),
          ),
        );
      },
      async close() {
        for (const p of proxies) p.client.close();
        await cleanup();
      },
    };
    await stack.settle();
    return stack;
  } catch (err) {
    await cleanup();
    throw err;
  }
}
