// Where security.istio.io documents meet the proxies built here: translators/istio/security
// (applyIstioSecurity) checks them and sets mTLS modes, request authentication and authorization
// on the sidecars' inbound listeners, adding the clusters those need.
import type { InputDocument } from '../../src/documents/types';
import type { Proxy } from '../../src/ir/types';
import type { IstioContext } from './context';
import { ROOT_NAMESPACE } from './kinds';
import { applyIstioSecurity } from './security';

export function applySecurity(proxies: Proxy[], docs: readonly InputDocument[], ctx: IstioContext): Proxy[] {
  return applyIstioSecurity(proxies, docs, {
    rootNamespace: ROOT_NAMESPACE,
    trustDomain: ctx.trustDomain,
    statusOf: (doc) => ctx.statusOf(doc),
    error: (doc, path, reason) => ctx.error(doc, path, reason),
  });
}
