// Input documents as users write them: the Kubernetes envelope (Gateway API, Istio, meshgate's own
// kinds) or a Kong declarative file. Everything before the IR speaks in these terms.
import type { JsonObject } from '../envoy/resource';

export interface DocumentMetadata {
  readonly name: string;
  readonly namespace: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * RFC 3339, as Kubernetes sets it: when the document was first accepted. Gateway API precedence
   * ties go to the oldest document; the config service stamps documents that arrive without one.
   */
  readonly creationTimestamp?: string;
}

/** A Kubernetes-style resource: apiVersion "gateway.networking.k8s.io/v1", kind "HTTPRoute", ... */
export interface InputDocument {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: DocumentMetadata;
  readonly spec: JsonObject;
}

/** How a document is named in errors, status and the admin API: "HTTPRoute default/web". */
export interface DocumentRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** One reason a document cannot be accepted, precise enough to fix it without reading our code. */
export interface DocumentError {
  /** 0-based position of the document in the submitted file/stream, when known. */
  readonly index?: number;
  readonly document?: DocumentRef;
  /** Field path inside the document, e.g. "spec.rules[0].backendRefs[1].port". */
  readonly path: string;
  readonly reason: string;
}

/** Gateway API style condition (Accepted, ResolvedRefs, Programmed, ...). */
export interface StatusCondition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
}

/** Conditions per parent (e.g. per Gateway a route attaches to), or for the document itself. */
export interface DocumentStatus {
  readonly document: DocumentRef;
  readonly parents?: readonly { readonly parentRef: DocumentRef & { readonly sectionName?: string }; readonly conditions: readonly StatusCondition[] }[];
  readonly conditions?: readonly StatusCondition[];
  /** Fields the translator could not honour (reported, never silently dropped). */
  readonly warnings?: readonly string[];
}

export function refOf(doc: InputDocument): DocumentRef {
  return { kind: doc.kind, namespace: doc.metadata.namespace, name: doc.metadata.name };
}

/** "gateway.networking.k8s.io/v1" → "gateway.networking.k8s.io"; "v1" → "" (the core group). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.lastIndexOf('/');
  return slash >= 0 ? apiVersion.slice(0, slash) : '';
}

/**
 * The kind qualified by its API group ("Gateway.gateway.networking.k8s.io", "Gateway.networking.istio.io",
 * "Secret" for the core group), kubectl-style: two families may use the same kind name, so the
 * store keys documents by this.
 */
export function qualifiedKind(doc: Pick<InputDocument, 'apiVersion' | 'kind'>): string {
  const group = groupOf(doc.apiVersion);
  return group ? `${doc.kind}.${group}` : doc.kind;
}

export function formatRef(ref: DocumentRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}
