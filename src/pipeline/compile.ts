// Input documents → Envoy resources per proxy group, through the IR. A pure function: the admin
// API's apply and dry run, the CLI's validate and render, and the restart path all call this, so
// what is validated is exactly what is served. Given the previous compile's output, resources that
// did not change are handed out as the previous objects (structural-sharing.ts), so the stages
// after this one do work in proportion to the change; the answer is the same either way.
import type { DocumentError, DocumentStatus, InputDocument } from '../documents/types';
import type { EnvoyResource } from '../envoy/resource';
import type { IR } from '../ir/types';
import { TRUST_BUNDLE_SECRET, WORKLOAD_CERTIFICATE_SECRET } from '../ir/mesh';
import { createSnapshotValidator, formatIssue, validateSnapshot } from '../validate';
import { shareUnchanged } from './structural-sharing';
import { buildProxyResources, XdsBuildError } from '../xds';
import { buildProxylessView, proxylessGroupOf, withProxylessNotes, type GroupNotes, type ProxylessNote } from '../xds/proxyless';
import { translate, type TranslateOptions } from '../../translators';
import { advanceMemoEpoch } from '../util/generational-weak-map';

export interface CompiledConfig {
  readonly ir: IR;
  readonly statuses: readonly DocumentStatus[];
  /**
   * Envoy resources per proxy group (IR Proxy.name), each group already valid by Envoy's rules.
   * Frozen all the way down: later stages keep answers per object.
   */
  readonly groups: ReadonlyMap<string, readonly EnvoyResource[]>;
  /** The translators' statuses, before the notes of proxyless views are added to them. */
  readonly translatedStatuses: readonly DocumentStatus[];
  /** What each proxyless view in `groups` could not give gRPC (warnings in `statuses`). */
  readonly proxylessNotes: ReadonlyMap<string, readonly ProxylessNote[]>;
}

/**
 * What compile() is asked besides the translators' options. `keepProxylessView` says which
 * proxyless views ("grpc:<name>") are built, validated and put in `groups`: most deployments have
 * no proxyless gRPC nodes, and a view is a second copy of a proxy's resources (built, validated,
 * held and encoded). The config service asks for the views a connected proxyless node reads and
 * adds one when a node comes (src/pipeline/proxyless-demand.ts, which validates it then); what a
 * view could not give gRPC becomes status warnings while it is served. Default: every view, as the
 * CLI's validate and render show them.
 */
export interface CompileOptions extends TranslateOptions {
  readonly keepProxylessView?: (group: string) => boolean;
}

export type CompileOutcome =
  | { readonly ok: true; readonly config: CompiledConfig }
  | { readonly ok: false; readonly errors: readonly DocumentError[]; readonly statuses: readonly DocumentStatus[] };

/**
 * Mesh proxies refer to their workload certificate and trust bundle by name; the CA (src/ca), which
 * sits beside this pipeline, supplies those Secrets per identity when a group is published.
 */
const validateMeshGroup = createSnapshotValidator({ secrets: [WORKLOAD_CERTIFICATE_SECRET, TRUST_BUNDLE_SECRET] });

/**
 * `previous`: the configuration compiled before (the one being served), whose unchanged resources
 * are handed out again as the same objects. Only an optimisation: the outcome is equal without it.
 */
export function compile(documents: readonly InputDocument[], options: CompileOptions = {}, previous?: CompiledConfig): CompileOutcome {
  // Memo caches (src/util/generational-weak-map.ts) may let go of what recent compiles did not use.
  advanceMemoEpoch();
  const { keepProxylessView = keepEveryView, ...translateOptions } = options;
  const translated = translate(documents, translateOptions);
  const refused = [...translated.errors, ...danglingReferences(translated.statuses)];
  if (refused.length > 0) return { ok: false, errors: refused, statuses: translated.statuses };
  const groups = new Map<string, readonly EnvoyResource[]>();
  const errors: DocumentError[] = [];
  const proxylessNotes = new Map<string, readonly ProxylessNote[]>();
  for (const proxy of translated.ir.proxies) {
    let resources: readonly EnvoyResource[];
    try {
      resources = shareUnchanged(buildProxyResources(proxy), previous?.groups.get(proxy.name));
    } catch (err) {
      if (!(err instanceof XdsBuildError)) throw err;
      errors.push(xdsBuildError(err));
      continue;
    }
    // A change that would produce a resource Envoy rejects is refused here, before anything is stored.
    const validate = proxy.mesh ? validateMeshGroup : validateSnapshot;
    for (const issue of validate(resources)) {
      errors.push({ path: issue.path, reason: `${proxy.name}: would produce a resource Envoy rejects: ${formatIssue(issue)}` });
    }
    groups.set(proxy.name, resources);
    const group = proxylessGroupOf(proxy.name);
    if (keepProxylessView(group)) proxylessNotes.set(group, compileProxylessView(proxy, groups, errors, previous));
  }
  const statuses = withProxylessNotes(translated.statuses, notesOf(proxylessNotes));
  if (errors.length > 0) return { ok: false, errors, statuses };
  return { ok: true, config: { ir: translated.ir, statuses, groups, translatedStatuses: translated.statuses, proxylessNotes } };
}

/**
 * The proxyless gRPC view of a proxy (src/xds/proxyless), served as group "grpc:<name>" to gRPC
 * clients and xDS-enabled servers whose node says meshgate_proxyless (src/cache/group-resolver.ts).
 * It names no SDS secret (mesh TLS uses the gRPC bootstrap's certificate providers), so Envoy's
 * rules apply without the mesh exceptions. Returns the view's notes (what gRPC could not be given),
 * which become warnings on their documents' statuses.
 */
export function compileProxylessView(
  proxy: IR['proxies'][number],
  groups: Map<string, readonly EnvoyResource[]>,
  errors: DocumentError[],
  previous: CompiledConfig | undefined,
): readonly ProxylessNote[] {
  const group = proxylessGroupOf(proxy.name);
  let resources: readonly EnvoyResource[];
  let notes: readonly ProxylessNote[];
  try {
    const view = buildProxylessView(proxy);
    resources = shareUnchanged(view.resources, previous?.groups.get(group));
    notes = view.notes;
  } catch (err) {
    if (!(err instanceof XdsBuildError)) throw err;
    errors.push(xdsBuildError(err));
    return [];
  }
  for (const issue of validateSnapshot(resources)) {
    errors.push({ path: issue.path, reason: `${group}: its proxyless gRPC view would hold a resource Envoy's rules reject: ${formatIssue(issue)}` });
  }
  groups.set(group, resources);
  return notes;
}

function keepEveryView(): boolean {
  return true;
}

/** Notes by view as withProxylessNotes takes them. */
export function notesOf(notes: ReadonlyMap<string, readonly ProxylessNote[]>): GroupNotes[] {
  return [...notes].map(([group, list]) => ({ group, notes: list }));
}

/**
 * Gateway API reports a reference to something that does not exist as a status condition; an
 * apply here is a whole, atomic change set, so a dangling reference is refused as bad input
 * instead of being served as 500s. (References not permitted by a ReferenceGrant stay conditions:
 * the target exists, the policy of its namespace decides.)
 */
const DANGLING_REFERENCE_REASONS = new Set(['BackendNotFound', 'InvalidCertificateRef']);

function danglingReferences(statuses: readonly DocumentStatus[]): DocumentError[] {
  const errors: DocumentError[] = [];
  // Conditions sit on the document, on each parent and in family-specific places (a Gateway's
  // listeners), so every object of a status is looked at; only objects and lists are descended.
  const visit = (value: object, status: DocumentStatus): void => {
    if (Array.isArray(value)) {
      for (const item of value) if (typeof item === 'object' && item !== null) visit(item as object, status);
      return;
    }
    const record = value as Record<string, unknown>;
    if (record['status'] === 'False' && typeof record['reason'] === 'string' && DANGLING_REFERENCE_REASONS.has(record['reason'])) {
      errors.push({ document: status.document, path: 'spec', reason: `${record['reason']}: ${String(record['message'] ?? '')}` });
    }
    for (const key in record) {
      const child = record[key];
      if (typeof child === 'object' && child !== null) visit(child, status);
    }
  };
  for (const status of statuses) visit(status, status);
  return errors.length > 0 ? dedupe(errors) : errors;
}

function dedupe(errors: DocumentError[]): DocumentError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = JSON.stringify(e);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function xdsBuildError(err: XdsBuildError): DocumentError {
  const source = err.source;
  return {
    ...(source ? { document: { kind: source.kind, namespace: source.namespace, name: source.name } } : {}),
    path: source?.section ?? '',
    reason: err.message,
  };
}
