// Input documents → Envoy resources per proxy group, through the IR. A pure function: the admin
// API's apply and dry run, the CLI's validate and render, and the restart path all call this, so
// what is validated is exactly what is served.
import type { DocumentError, DocumentStatus, InputDocument } from '../documents/types';
import type { EnvoyResource } from '../envoy/resource';
import type { IR } from '../ir/types';
import { formatIssue, validateSnapshot } from '../validate';
import { buildProxyResources, XdsBuildError } from '../xds';
import { translate } from '../../translators';

export interface CompiledConfig {
  readonly ir: IR;
  readonly statuses: readonly DocumentStatus[];
  /** Envoy resources per proxy group (IR Proxy.name), each group already valid by Envoy's rules. */
  readonly groups: ReadonlyMap<string, readonly EnvoyResource[]>;
}

export type CompileOutcome =
  | { readonly ok: true; readonly config: CompiledConfig }
  | { readonly ok: false; readonly errors: readonly DocumentError[]; readonly statuses: readonly DocumentStatus[] };

export function compile(documents: readonly InputDocument[]): CompileOutcome {
  const translated = translate(documents);
  if (translated.errors.length > 0) return { ok: false, errors: translated.errors, statuses: translated.statuses };
  const groups = new Map<string, readonly EnvoyResource[]>();
  const errors: DocumentError[] = [];
  for (const proxy of translated.ir.proxies) {
    let resources: EnvoyResource[];
    try {
      resources = buildProxyResources(proxy);
    } catch (err) {
      if (!(err instanceof XdsBuildError)) throw err;
      errors.push(xdsBuildError(err));
      continue;
    }
    // A change that would produce a resource Envoy rejects is refused here, before anything is stored.
    for (const issue of validateSnapshot(resources)) {
      errors.push({ path: issue.path, reason: `${proxy.name}: would produce a resource Envoy rejects: ${formatIssue(issue)}` });
    }
    groups.set(proxy.name, resources);
  }
  if (errors.length > 0) return { ok: false, errors, statuses: translated.statuses };
  return { ok: true, config: { ir: translated.ir, statuses: translated.statuses, groups } };
}

function xdsBuildError(err: XdsBuildError): DocumentError {
  const source = err.source;
  return {
    ...(source ? { document: { kind: source.kind, namespace: source.namespace, name: source.name } } : {}),
    path: source?.section ?? '',
    reason: err.message,
  };
}
