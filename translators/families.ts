// Input families side by side: each family (Gateway API with meshgate's own kinds, Istio, Kong)
// translates the documents it owns into proxies of the one IR; core documents (Secret, Namespace)
// are shared data every family may read. Results merge into one IR: two families producing the
// same proxy group is an error, never a silent overwrite.
import type { DocumentError, DocumentStatus, InputDocument } from '../src/documents/types';
import { groupOf } from '../src/documents/types';
import { IR_VERSION, type Proxy } from '../src/ir/types';
import { istioFamily } from './istio';
import { kongFamily } from './kong';
import { translateGatewayApi, type TranslateOptions, type TranslationResult } from './translate';

export interface FamilyTranslator {
  readonly name: string;
  /** True for the documents this family reads (by apiVersion group, or Kong's file format). */
  owns(doc: InputDocument): boolean;
  /** `shared` holds the core documents (Secrets, Namespaces); `index` in errors is into `own`. */
  translate(own: readonly InputDocument[], shared: readonly InputDocument[], options: TranslateOptions): TranslationResult;
}

const CORE_KINDS = new Set(['Secret', 'Namespace']);

/** Defensive about types: documents reach translate() before their schema is checked. */
export function isCoreDocument(doc: InputDocument | null): boolean {
  return typeof doc === 'object' && doc !== null && typeof doc.apiVersion === 'string' && typeof doc.kind === 'string' && groupOf(doc.apiVersion) === '' && CORE_KINDS.has(doc.kind);
}

/** Families other than the Gateway API one, which reads everything no other family owns. */
const FAMILIES: readonly FamilyTranslator[] = [istioFamily, kongFamily];

const gatewayApiFamily: FamilyTranslator = {
  name: 'gateway-api',
  owns: () => true,
  translate: (own, _shared, options) => translateGatewayApi(own, options),
};

export function translate(documents: readonly InputDocument[], options: TranslateOptions = {}): TranslationResult {
  const shared = documents.filter(isCoreDocument);
  const owned = new Map<FamilyTranslator, number[]>();
  documents.forEach((doc, position) => {
    // Core documents go to the Gateway API family too, which validates them and reports their status.
    const family = FAMILIES.find((f) => !isCoreDocument(doc) && f.owns(doc)) ?? gatewayApiFamily;
    const positions = owned.get(family) ?? [];
    positions.push(position);
    owned.set(family, positions);
  });
  if (!owned.has(gatewayApiFamily)) owned.set(gatewayApiFamily, []);

  const proxies: Proxy[] = [];
  const statuses: DocumentStatus[] = [];
  const errors: DocumentError[] = [];
  const producer = new Map<string, string>();
  for (const family of [gatewayApiFamily, ...FAMILIES]) {
    const positions = owned.get(family);
    if (!positions) continue;
    const own = positions.map((p) => documents[p]!);
    const result = family.translate(own, shared, options);
    errors.push(...result.errors.map((e) => (e.index === undefined ? e : { ...e, index: positions[e.index] ?? e.index })));
    statuses.push(...result.statuses);
    for (const proxy of result.ir.proxies) {
      const other = producer.get(proxy.name);
      if (other !== undefined) {
        errors.push({ path: '', reason: `proxy group "${proxy.name}" is produced by both ${other} and ${family.name} documents; give one of them another name` });
        continue;
      }
      producer.set(proxy.name, family.name);
      proxies.push(proxy);
    }
  }
  proxies.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { ir: { version: IR_VERSION, proxies }, statuses, errors };
}
