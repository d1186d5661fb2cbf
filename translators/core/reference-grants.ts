// Cross-namespace references are allowed only when a ReferenceGrant in the target namespace
// lets the referring kind (in the referring namespace) reach the target kind (and name).
import type { InputDocument } from '../../src/documents/types';
import { DocumentIndex, namespaceOf } from './documents';
import { getObjects, getString } from './json';

export interface ReferenceEnd {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
}

export class ReferenceGrants {
  private readonly grantsByNamespace = new Map<string, InputDocument[]>();

  constructor(index: DocumentIndex) {
    for (const grant of index.list('ReferenceGrant')) {
      const ns = namespaceOf(grant);
      const list = this.grantsByNamespace.get(ns);
      if (list) list.push(grant);
      else this.grantsByNamespace.set(ns, [grant]);
    }
  }

  /** Same-namespace references are always allowed. */
  allows(from: ReferenceEnd, to: ReferenceEnd & { readonly name: string }): boolean {
    if (from.namespace === to.namespace) return true;
    for (const grant of this.grantsByNamespace.get(to.namespace) ?? []) {
      const fromOk = getObjects(grant.spec, 'from').some(
        (f) => getString(f, 'group') === from.group && getString(f, 'kind') === from.kind && getString(f, 'namespace') === from.namespace,
      );
      if (!fromOk) continue;
      const toOk = getObjects(grant.spec, 'to').some((t) => {
        const name = getString(t, 'name');
        return getString(t, 'group') === to.group && getString(t, 'kind') === to.kind && (name === undefined || name === '' || name === to.name);
      });
      if (toOk) return true;
    }
    return false;
  }
}
