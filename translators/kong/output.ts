// The documents a Kong file converts to, in the Kubernetes form `meshgate convert` prints (Secrets
// keep type/stringData at the top level), each annotated with the Kong entity it came from, plus
// a map from generated fields back to Kong fields so errors found later name the Kong path.
import type { JsonObject } from '../../src/envoy/resource';
import { KONG_SOURCE_ANNOTATION } from './kinds';

export interface DocumentSource {
  /** The Kong entity the document came from ("services[0].routes[1]"). */
  readonly entity: string;
  /** Generated field path prefix → Kong path, longest prefix wins ("spec.rules[0].matches[1]" → "…paths[0]"). */
  readonly fields: Map<string, string>;
}

export class Output {
  readonly documents: JsonObject[] = [];
  private readonly sources = new Map<string, DocumentSource>();

  constructor(readonly namespace: string) {}

  private static key(kind: string, name: string): string {
    return `${kind}/${name}`;
  }

  /** Adds a namespaced document (cluster-scoped kinds pass `namespaced: false`). */
  add(apiVersion: string, kind: string, name: string, source: string, body: JsonObject, options: { namespaced?: boolean; annotations?: Record<string, string> } = {}): void {
    const metadata: JsonObject = {
      name,
      ...(options.namespaced === false ? {} : { namespace: this.namespace }),
      annotations: { ...(options.annotations ?? {}), [KONG_SOURCE_ANNOTATION]: source },
    };
    this.documents.push({ apiVersion, kind, metadata, ...body });
    this.sources.set(Output.key(kind, name), { entity: source, fields: new Map() });
  }

  /** Errors about `generatedPath` (or below it) in this document are about `kongPath`. */
  mapField(kind: string, name: string, generatedPath: string, kongPath: string): void {
    this.sources.get(Output.key(kind, name))?.fields.set(generatedPath, kongPath);
  }

  sourceOf(kind: string, name: string): DocumentSource | undefined {
    return this.sources.get(Output.key(kind, name));
  }
}

/** The Kong path an error at `path` of a converted document is about. */
export function kongPathOf(source: DocumentSource, path: string): string {
  let best: string | undefined;
  let bestLength = -1;
  for (const [prefix, kongPath] of source.fields) {
    const matches = path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
    if (matches && prefix.length > bestLength) {
      best = kongPath;
      bestLength = prefix.length;
    }
  }
  return best ?? source.entity;
}
