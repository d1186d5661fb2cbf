// Which VirtualService routes a host: for the mesh (gateways absent or "mesh") or for an ingress
// Gateway ("<namespace>/<name>" or "<name>" in the VirtualService's namespace). Istio lets one
// VirtualService win per host for sidecars: the oldest, and the others are reported.
import type { InputDocument } from '../../src/documents/types';
import { compareAge, namespaceOf } from '../core/documents';
import { getObjects, getStrings } from '../core/json';
import type { IstioContext } from './context';
import { hostMatches, resolveHost } from './hosts';

export const MESH_GATEWAY = 'mesh';

interface Indexed {
  readonly doc: InputDocument;
  readonly hosts: readonly string[];
  readonly gateways: readonly string[];
}

export class VirtualServices {
  private readonly all: readonly Indexed[];

  constructor(private readonly ctx: IstioContext) {
    this.all = [...ctx.index.list('VirtualService')].sort(compareAge).map((doc) => {
      const ns = namespaceOf(doc);
      ctx.unsupported(doc, doc.spec, 'spec', ['exportTo'], 'is ignored: the VirtualService applies to clients in every namespace');
      ctx.unsupported(doc, doc.spec, 'spec', ['tls'], 'is not supported (TLS routing by SNI); those routes are ignored');
      getObjects(doc.spec, 'http').forEach((h, i) => ctx.unsupported(doc, h, `spec.http[${i}]`, ['delegate'], 'is not supported; the route is ignored'));
      const gateways = getStrings(doc.spec, 'gateways');
      return {
        doc,
        hosts: getStrings(doc.spec, 'hosts').map((h) => resolveHost(h, ns)),
        gateways: (gateways.length > 0 ? gateways : [MESH_GATEWAY]).map((g) => (g === MESH_GATEWAY || g.includes('/') ? g : `${ns}/${g}`)),
      };
    });
  }

  /** The VirtualService a sidecar uses for `host` (exact hosts before wildcards, then the oldest). */
  forMeshHost(host: string): InputDocument | undefined {
    const matching = this.all.filter((v) => v.gateways.includes(MESH_GATEWAY) && v.hosts.some((h) => hostMatches(h, host)));
    const exact = matching.filter((v) => v.hosts.includes(host));
    const ordered = [...exact, ...matching.filter((v) => !exact.includes(v))];
    for (const other of ordered.slice(1)) {
      this.ctx.statusOf(other.doc).warn(`host ${host} is also routed by VirtualService ${namespaceOf(ordered[0]!.doc)}/${ordered[0]!.doc.metadata.name}, which wins for sidecars; this one is ignored for that host`);
    }
    return ordered[0]?.doc;
  }

  /** VirtualServices bound to an ingress Gateway, oldest first. */
  forGateway(namespace: string, name: string): readonly { doc: InputDocument; hosts: readonly string[] }[] {
    return this.all.filter((v) => v.gateways.includes(`${namespace}/${name}`));
  }

  /** VirtualServices that name a Gateway no document defines. */
  danglingGateways(exists: (namespace: string, name: string) => boolean): void {
    for (const v of this.all) {
      v.gateways.forEach((g, i) => {
        if (g === MESH_GATEWAY) return;
        const [ns, name] = g.split('/');
        if (!exists(ns ?? '', name ?? '')) this.ctx.statusOf(v.doc).warn(`spec.gateways[${i}] ${g}: no Istio Gateway of that name; nothing is routed for it`);
      });
    }
  }
}
