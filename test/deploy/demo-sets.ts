// The demo's policy sets, one per input format, found from the files themselves: every directory
// under examples/ except the demo app is a format, its starting set is what the compose file's
// apply job sends for it (the mesh plus examples/<format>/demo.yaml), its walkthrough steps are
// examples/<format>/demo/*.yaml in name order, and its edge proxy group is the one gateway group
// the starting set compiles to. A format's demo.env (docker compose --env-file) must agree.
import fs from 'node:fs';
import path from 'node:path';
import { readDocuments } from '../../src/cli/input-files';
import type { InputDocument } from '../../src/documents/types';
import { compile } from '../../src/pipeline/compile';
import { loadCompose, meshgateCliArgs, readEnvFile, repoPathOf, ROOT, type ComposeFile, type ComposeService, type Env } from './compose';

export const EXAMPLES = path.join(ROOT, 'examples');
/** examples/ directories that are not an input format. */
const NOT_FORMATS = new Set(['demo-app']);

export function formatNames(): string[] {
  return fs
    .readdirSync(EXAMPLES, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !NOT_FORMATS.has(d.name))
    .map((d) => d.name)
    .sort();
}

export interface ApplyJob {
  readonly name: string;
  readonly service: ComposeService;
  readonly args: readonly string[];
  /** The -f files, as paths in this repository. */
  readonly files: readonly string[];
}

/** The compose file's one-shot `meshgate apply` job (the demo's starting policy). */
export function applyJob(compose: ComposeFile): ApplyJob {
  const jobs = Object.entries(compose.services).flatMap(([name, service]) => {
    const args = meshgateCliArgs(service);
    return args && args[0] === 'apply' ? [{ name, service, args }] : [];
  });
  if (jobs.length !== 1) throw new Error(`expected one apply job in docker-compose.yml, found ${jobs.length}`);
  const job = jobs[0]!;
  const files = job.args.flatMap((arg, i) => {
    if (job.args[i - 1] !== '-f') return [];
    const file = repoPathOf(job.service, arg);
    if (!file) throw new Error(`${job.name}: -f ${arg} is not in a bind-mounted directory`);
    return [file];
  });
  return { ...job, files };
}

export interface DemoFormat {
  readonly name: string;
  /** The variables `docker compose` runs the demo of this format with. */
  readonly env: Env;
  readonly envFile?: string;
  readonly demoFile: string;
  readonly startFiles: readonly string[];
  readonly edgeGroup: string;
  readonly steps: readonly string[];
  readonly compose: ComposeFile;
}

export function documentsOf(files: readonly string[]): InputDocument[] {
  const read = readDocuments(files);
  if (read.errors.length > 0) throw new Error(JSON.stringify(read.errors));
  return read.documents;
}

/** Proxy groups of gateways (not sidecars, not proxyless views) that these files compile to. */
export function gatewayGroupsOf(files: readonly string[]): string[] {
  const outcome = compile(documentsOf(files));
  if (!outcome.ok) throw new Error(`${files.join(', ')} do not compile: ${JSON.stringify(outcome.errors)}`);
  return [...outcome.config.groups.keys()].filter((g) => !g.startsWith('sidecar/') && !g.startsWith('grpc:')).sort();
}

export function demoFormat(name: string): DemoFormat {
  const dir = path.join(EXAMPLES, name);
  const envFile = path.join(dir, 'demo.env');
  const hasEnvFile = fs.existsSync(envFile);
  const given: Env = hasEnvFile ? readEnvFile(envFile) : { MESHGATE_DEMO: name };
  const job = applyJob(loadCompose(given));
  const demoFile = path.join(dir, 'demo.yaml');
  const groups = gatewayGroupsOf(job.files);
  if (groups.length !== 1) throw new Error(`the ${name} demo's starting set compiles to gateway groups [${groups.join(', ')}], expected exactly one edge`);
  const edgeGroup = groups[0]!;
  const env: Env = { ...given, MESHGATE_EDGE_GROUP: given['MESHGATE_EDGE_GROUP'] ?? edgeGroup };
  const stepsDir = path.join(dir, 'demo');
  const steps = fs.existsSync(stepsDir)
    ? fs
        .readdirSync(stepsDir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => path.join(stepsDir, f))
    : [];
  return { name, env, ...(hasEnvFile ? { envFile } : {}), demoFile, startFiles: job.files, edgeGroup, steps, compose: loadCompose(env) };
}

export interface WorkloadEntry {
  readonly name: string;
  readonly address: string;
  readonly ports: Readonly<Record<string, number>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount: string;
}

/** The WorkloadEntries of a set of policy files. */
export function workloadEntriesOf(files: readonly string[]): WorkloadEntry[] {
  return documentsOf(files)
    .filter((d) => d.kind === 'WorkloadEntry')
    .map((d) => {
      const spec = d.spec as { address: string; ports?: Record<string, number>; labels?: Record<string, string>; serviceAccount?: string };
      return { name: d.metadata.name, address: spec.address, ports: spec.ports ?? {}, labels: spec.labels ?? {}, serviceAccount: spec.serviceAccount ?? 'default' };
    });
}

/** "address:port" of the workloads with label app=<app>, on their named port. */
export function workloadEndpoints(entries: readonly WorkloadEntry[], app: string, portName = 'http'): string[] {
  return entries
    .filter((w) => w.labels['app'] === app)
    .map((w) => `${w.address}:${w.ports[portName]}`)
    .sort();
}

/** The demo token the README hands out (also what `node examples/demo-app/mint-token.js` prints). */
export function readmeDemoToken(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const match = /^TOKEN=(eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/m.exec(readme);
  if (!match) throw new Error('README.md has no TOKEN=<jwt> line');
  return match[1]!;
}
