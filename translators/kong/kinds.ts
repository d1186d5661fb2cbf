// The KongConfiguration envelope (meshgate.io/v1alpha1): a Kong declarative file carried whole in
// `spec` (src/documents/parse.ts wraps bare decK files in it), and the annotations the converter
// reads and writes.
import type { InputDocument } from '../../src/documents/types';
import { KONG_CONFIGURATION_API_VERSION, KONG_CONFIGURATION_KIND } from '../../src/documents/parse';
import { groupOf, MESHGATE_GROUP } from '../core/kinds';

export { KONG_CONFIGURATION_API_VERSION, KONG_CONFIGURATION_KIND };

/** Set by `--lenient` / `?lenient=true` and stored with the document, so a restart translates alike. */
export const LENIENT_ANNOTATION = 'meshgate.io/lenient';
/** On every converted document: the Kong entity it came from, e.g. "services[0].routes[1]". */
export const KONG_SOURCE_ANNOTATION = 'meshgate.io/kong-source';

/** Defensive about types: documents reach the family before any schema check. */
export function isKongConfiguration(doc: InputDocument | null | undefined): boolean {
  return typeof doc === 'object' && doc !== null && typeof doc.apiVersion === 'string' && groupOf(doc.apiVersion) === MESHGATE_GROUP && doc.kind === KONG_CONFIGURATION_KIND;
}

export function isLenient(doc: InputDocument): boolean {
  return doc.metadata.annotations?.[LENIENT_ANNOTATION] === 'true';
}

/** The envelope problem of a KongConfiguration (documents reach the family unchecked), if any. */
export function envelopeProblem(doc: InputDocument): { path: string; reason: string } | undefined {
  const md = doc.metadata as unknown;
  if (typeof md !== 'object' || md === null) return { path: 'metadata', reason: 'required object with at least a name' };
  const { name, namespace, annotations } = md as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') return { path: 'metadata.name', reason: 'required string' };
  if (typeof namespace !== 'string' || namespace === '') return { path: 'metadata.namespace', reason: 'required string' };
  if (annotations !== undefined && (typeof annotations !== 'object' || annotations === null || Array.isArray(annotations))) return { path: 'metadata.annotations', reason: 'must map strings to strings' };
  const spec = doc.spec as unknown;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return { path: 'spec', reason: 'a KongConfiguration holds a Kong declarative file in spec' };
  return undefined;
}
