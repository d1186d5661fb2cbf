// What the offline commands (validate, render, explain) share: compile policy files exactly as the
// server would, and pick the resources one node would receive.
import fs from 'node:fs';
import { caDirOf, openCertificateAuthority, WorkloadCertificates, type CaOrigin } from '../ca';
import { SnapshotCache, defaultNodeGroupResolver } from '../cache';
import type { EnvoyResource } from '../envoy/resource';
import type { JsonObject } from '../envoy/resource';
import { TYPE_GROUP_NAME, PUSH_ORDER } from '../envoy/type-urls';
import { compile, type CompiledConfig } from '../pipeline/compile';
import type { NodeInfo } from '../server/observer';
import { redactResource } from '../status/redact';
import { validateSnapshot } from '../validate';
import { pairs, single, UsageError, type ParsedArgs } from './args';
import { formatErrors, readDocuments, withFiles, type KongFileOptions } from './input-files';

export type Compiled = { ok: true; config: CompiledConfig } | { ok: false; message: string };

/** --trust-domain (or MESHGATE_TRUST_DOMAIN), as `meshgate serve` reads it: mesh peer IDs and principals name it. */
export function trustDomainFromArgs(args: ParsedArgs): string | undefined {
  return single(args, '--trust-domain') ?? (process.env['MESHGATE_TRUST_DOMAIN'] || undefined);
}

export function compileFiles(files: readonly string[], options: KongFileOptions & { trustDomain?: string } = {}): Compiled {
  if (files.length === 0) throw new UsageError('give at least one -f <file|dir|->');
  const read = readDocuments(files, options);
  if (read.errors.length > 0) return { ok: false, message: formatErrors(read.errors) };
  const outcome = compile(read.documents, options.trustDomain ? { trustDomain: options.trustDomain } : {});
  if (!outcome.ok) return { ok: false, message: formatErrors(withFiles(outcome.errors, read)) };
  return { ok: true, config: outcome.config };
}

/** The node a command acts for: --node-id, --node-cluster, --meta k=v (as in an Envoy bootstrap). */
export function nodeFromArgs(args: ParsedArgs): NodeInfo {
  const id = single(args, '--node-id');
  if (!id) throw new UsageError('--node-id is required');
  return {
    id,
    cluster: single(args, '--node-cluster') ?? '',
    metadata: pairs(args, '--meta'),
    userAgentName: 'meshgate-cli',
    userAgentVersion: '',
    clientFeatures: [],
  };
}

export interface ServedResources {
  readonly group: string;
  readonly listeners: JsonObject[];
  readonly routes: JsonObject[];
  readonly clusters: JsonObject[];
  readonly endpoints: JsonObject[];
  readonly secrets: JsonObject[];
}

/**
 * The configuration with each mesh group's Secrets added, as the server publishes it: issued by the
 * CA of `dataDir` when it holds one (so the trust bundle is the real one), else by a CA that lives
 * only for this command. Nothing is written to the data dir.
 */
export async function withMeshSecrets(config: CompiledConfig, options: { dataDir?: string; trustDomain?: string } = {}): Promise<{ config: CompiledConfig; caOrigin?: CaOrigin }> {
  const mesh = config.ir.proxies.filter((p) => p.mesh);
  if (mesh.length === 0) return { config };
  const useDataDir = options.dataDir !== undefined && fs.existsSync(caDirOf(options.dataDir));
  const opened = await openCertificateAuthority({
    ...(useDataDir ? { dataDir: options.dataDir! } : {}),
    ...(options.trustDomain ? { trustDomain: options.trustDomain } : {}),
    createIfMissing: false,
  });
  const certificates = new WorkloadCertificates(opened.ca, { autoRenew: false });
  await certificates.prepare(mesh.map((p) => p.mesh!.workload.identity));
  const groups = new Map<string, readonly EnvoyResource[]>(config.groups);
  for (const proxy of mesh) {
    const resources = config.groups.get(proxy.name);
    const secrets = certificates.secretsFor(proxy.mesh!.workload.identity);
    if (resources && secrets) groups.set(proxy.name, [...resources, ...secrets]);
  }
  certificates.close();
  return { config: { ...config, groups }, caOrigin: opened.origin };
}

/**
 * The resources the node would receive, through a real snapshot cache so that what the cache adds
 * (empty assignments for EDS clusters) shows too. Secrets are redacted.
 */
export function servedResources(config: CompiledConfig, node: NodeInfo): ServedResources {
  const group = defaultNodeGroupResolver(node);
  const cache = new SnapshotCache({ validator: validateSnapshot });
  const out: ServedResources = { group, listeners: [], routes: [], clusters: [], endpoints: [], secrets: [] };
  const resources = config.groups.get(group);
  if (!resources) return out;
  const snapshot = cache.setSnapshot(group, resources).snapshot;
  cache.close();
  for (const typeUrl of PUSH_ORDER) {
    for (const resource of snapshot.resources.get(typeUrl)?.values() ?? []) {
      out[TYPE_GROUP_NAME[typeUrl]].push({ '@type': typeUrl, ...redactResource(typeUrl, resource.json).json });
    }
  }
  return out;
}
