// Shared by the Istio security tests: Istio YAML → proxies (the Istio family's networking
// translation, then applyIstioSecurity with a context that records errors and warnings) → Envoy.
import fs from 'node:fs';
import yaml from 'js-yaml';
import type { InputDocument } from '../../src/documents/types';
import type { EnvoyResource } from '../../src/envoy/resource';
import type { Proxy } from '../../src/ir/types';
import { buildProxyResources } from '../../src/xds';
import { StatusBuilder } from '../../translators/core/status';
import { translate } from '../../translators/families';
import { isSecurityDocument } from '../../translators/istio/kinds';
import { applyIstioSecurity, type IstioSecurityContext } from '../../translators/istio/security';

export interface SecuredProxies {
  readonly proxies: Proxy[];
  readonly errors: string[];
  /** "Kind ns/name" → warnings. */
  readonly warnings: Record<string, string[]>;
}

export function loadDocuments(file: string): InputDocument[] {
  return (yaml.loadAll(fs.readFileSync(file, 'utf8')) as InputDocument[]).filter((d) => d !== null && d !== undefined);
}

export function recordingContext(): { ctx: IstioSecurityContext; errors: string[]; statuses: Map<InputDocument, StatusBuilder> } {
  const errors: string[] = [];
  const statuses = new Map<InputDocument, StatusBuilder>();
  const ctx: IstioSecurityContext = {
    rootNamespace: 'istio-system',
    trustDomain: 'cluster.local',
    statusOf(doc) {
      let s = statuses.get(doc);
      if (!s) statuses.set(doc, (s = new StatusBuilder({ kind: doc.kind, namespace: doc.metadata?.namespace ?? 'default', name: doc.metadata?.name ?? '' })));
      return s;
    },
    error(doc, path, reason) {
      errors.push(`${String(doc.kind)} ${doc.metadata?.namespace ?? 'default'}/${doc.metadata?.name ?? ''} ${path}: ${reason}`);
    },
  };
  return { ctx, errors, statuses };
}

/** Sidecars for the networking documents, secured by the security documents. */
export function secureDocuments(docs: readonly InputDocument[]): SecuredProxies {
  const networking = docs.filter((d) => !isSecurityDocument(d));
  const security = docs.filter(isSecurityDocument);
  const translated = translate(networking);
  if (translated.errors.length > 0) throw new Error(`the networking documents do not translate: ${JSON.stringify(translated.errors)}`);
  const { ctx, errors, statuses } = recordingContext();
  const proxies = applyIstioSecurity(translated.ir.proxies, security, ctx);
  const warnings: Record<string, string[]> = {};
  for (const s of statuses.values()) {
    if (s.warnings.length > 0) warnings[`${s.document.kind} ${s.document.namespace}/${s.document.name}`] = [...s.warnings];
  }
  return { proxies, errors, warnings };
}

export function envoyResourcesOf(proxy: Proxy): EnvoyResource[] {
  return buildProxyResources(proxy);
}
