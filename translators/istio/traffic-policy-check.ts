// Every DestinationRule's whole trafficPolicy is checked once, when the rule is read: the top-level
// policy, its portLevelSettings, and each subset's policy with its own portLevelSettings. Fields
// meshgate cannot honour become warnings on the rule's status whether or not a cluster ever uses
// that layer (a layer no client uses would otherwise never be looked at). So are connectionPool
// limits of 0, which Istio (and so meshgate) reads as unset.
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import { getNumber, getObject, getObjects, getString } from '../core/json';
import { POOL_LIMITS } from './connection-pool';
import type { IstioContext } from './context';

const FILE_FIELDS_WHY = 'names a file on the proxy, which meshgate cannot read; use credentialName';

function checkLayer(ctx: IstioContext, doc: InputDocument, policy: JsonObject, path: string): void {
  ctx.unsupported(doc, policy, path, ['tunnel', 'proxyProtocol']);
  const lb = getObject(policy, 'loadBalancer');
  ctx.unsupported(doc, lb, `${path}.loadBalancer`, ['warmupDurationSecs', 'warmup']);
  ctx.unsupported(doc, getObject(lb, 'localityLbSetting'), `${path}.loadBalancer.localityLbSetting`, ['failoverPriority'], 'is not supported by meshgate and is ignored (failover follows localities only)');
  const cookie = getObject(getObject(lb, 'consistentHash'), 'httpCookie');
  ctx.unsupported(doc, cookie, `${path}.loadBalancer.consistentHash.httpCookie`, ['path', 'attributes'], 'is not supported by meshgate and is ignored (the cookie is generated without it)');
  const pool = getObject(policy, 'connectionPool');
  ctx.unsupported(doc, getObject(pool, 'tcp'), `${path}.connectionPool.tcp`, ['tcpKeepalive', 'maxConnectionDuration', 'idleTimeout']);
  ctx.unsupported(doc, getObject(pool, 'http'), `${path}.connectionPool.http`, ['idleTimeout', 'useClientProtocol', 'maxConcurrentStreams']);
  for (const [limit, group, field] of POOL_LIMITS) {
    if (limit !== 'maxRequestsPerConnection' && getNumber(getObject(pool, group), field) === 0) {
      ctx.statusOf(doc).warn(`${path}.connectionPool.${group}.${field}: 0 means Istio's default (no limit), as in Istio, which cannot tell 0 from unset`);
    }
  }
  ctx.unsupported(doc, getObject(policy, 'outlierDetection'), `${path}.outlierDetection`, ['minHealthPercent', 'splitExternalLocalOriginErrors', 'consecutiveLocalOriginFailures']);
  const tls = getObject(policy, 'tls');
  if (tls && getString(tls, 'mode') === 'ISTIO_MUTUAL') {
    ctx.unsupported(doc, tls, `${path}.tls`, ['sni', 'subjectAltNames', 'credentialName', 'clientCertificate', 'privateKey', 'caCertificates', 'caCrl', 'insecureSkipVerify'], 'is ignored with mode ISTIO_MUTUAL');
  } else if (tls && getString(tls, 'mode') !== 'DISABLE') {
    ctx.unsupported(doc, tls, `${path}.tls`, ['clientCertificate', 'privateKey', 'caCertificates', 'caCrl'], FILE_FIELDS_WHY);
  }
}

function checkPolicy(ctx: IstioContext, doc: InputDocument, policy: JsonObject | undefined, path: string): void {
  if (!policy) return;
  checkLayer(ctx, doc, policy, path);
  getObjects(policy, 'portLevelSettings').forEach((level, i) => checkLayer(ctx, doc, level, `${path}.portLevelSettings[${i}]`));
}

/** Checks the rule's trafficPolicy at every level (top, port levels, subsets and their port levels). */
export function checkTrafficPolicies(ctx: IstioContext, doc: InputDocument): void {
  checkPolicy(ctx, doc, getObject(doc.spec, 'trafficPolicy'), 'spec.trafficPolicy');
  getObjects(doc.spec, 'subsets').forEach((subset, i) => checkPolicy(ctx, doc, getObject(subset, 'trafficPolicy'), `spec.subsets[${i}].trafficPolicy`));
}
