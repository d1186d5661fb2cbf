// Kong's listeners as one Gateway: `proxy` (HTTP, 8000), one HTTPS listener on 8443 per SNI of the
// file's certificates (hostname = the SNI, its certificate as a kubernetes.io/tls Secret), and the
// `status` listener (8100) when the prometheus plugin asks for metrics. No certificates, no HTTPS.
import type { JsonObject } from '../../src/envoy/resource';
import { getString } from '../core/json';
import { certificateProblem, keyPairProblem, privateKeyProblem } from '../core/pem';
import { HOSTNAME_PATTERN } from '../gateway-api/schemas/common';
import { GATEWAY_API_V1, HTTP_LISTENER, HTTP_PORT, HTTPS_PORT, STATUS_LISTENER, STATUS_PORT, type HttpsListener } from './context';
import type { KongModel } from './model';
import { sectionNameOf, type NameAllocator } from './names';
import type { Output } from './output';
import { at, type Problems } from './problems';

export const GATEWAY_CLASS = 'meshgate';

/** The HTTPS listeners of the file's certificates; bad certificates and SNIs are reported. */
export function planHttpsListeners(model: KongModel, names: NameAllocator, problems: Problems): HttpsListener[] {
  const listeners: HttpsListener[] = [];
  const seen = new Map<string, string>();
  model.certificates.forEach((cert, index) => {
    const crt = getString(cert.raw, 'cert') ?? '';
    const key = getString(cert.raw, 'key') ?? '';
    const certBad = certificateProblem(crt);
    const keyBad = certBad ? undefined : (privateKeyProblem(key) ?? keyPairProblem(crt, key));
    if (certBad) problems.error(at(cert.path, 'cert'), certBad);
    if (keyBad) problems.error(at(cert.path, 'key'), keyBad);
    if (certBad || keyBad) return;
    if (getString(cert.raw, 'cert_alt') !== undefined) problems.cannotHonour(at(cert.path, 'cert_alt'), 'a second (alternative) certificate per listener is not supported');
    if (cert.snis.length === 0) problems.warn(cert.path, 'this certificate has no SNI: no listener serves it');
    const secretName = names.allocate('Secret', `certificate-${index}`);
    for (const sni of cert.snis) {
      const name = sni.name.toLowerCase().replace(/\.$/, '');
      const other = seen.get(name);
      if (other) {
        problems.error(at(sni.path, 'name'), `SNI "${name}" is also given at ${other}`);
        continue;
      }
      seen.set(name, sni.path);
      if (!HOSTNAME_PATTERN.test(name)) {
        problems.cannotHonour(at(sni.path, 'name'), `"${sni.name}" cannot be a listener hostname (a DNS name, optionally starting with "*."; Kong's trailing wildcards are not supported)`);
        continue;
      }
      listeners.push({ sectionName: names.allocate('listener', `https-${sectionNameOf(name)}`), sni: name, secretName, certificate: cert });
    }
  });
  return listeners;
}

export function emitGateway(output: Output, gatewayName: string, https: readonly HttpsListener[], statusListener: boolean): void {
  output.add(GATEWAY_API_V1, 'GatewayClass', GATEWAY_CLASS, '_format_version', { spec: { controllerName: 'meshgate.io/gateway-controller' } }, { namespaced: false });
  const listeners: JsonObject[] = [{ name: HTTP_LISTENER, port: HTTP_PORT, protocol: 'HTTP' }];
  for (const l of https) listeners.push({ name: l.sectionName, port: HTTPS_PORT, protocol: 'HTTPS', hostname: l.sni, tls: { mode: 'Terminate', certificateRefs: [{ name: l.secretName }] } });
  if (statusListener) listeners.push({ name: STATUS_LISTENER, port: STATUS_PORT, protocol: 'HTTP' });
  output.add(GATEWAY_API_V1, 'Gateway', gatewayName, '_format_version', { spec: { gatewayClassName: GATEWAY_CLASS, listeners } });
  https.forEach((l, i) => output.mapField('Gateway', gatewayName, `spec.listeners[${i + 1}]`, at(l.certificate.path, 'snis')));
  const secrets = new Set<string>();
  for (const l of https) {
    if (secrets.has(l.secretName)) continue;
    secrets.add(l.secretName);
    output.add('v1', 'Secret', l.secretName, l.certificate.path, {
      type: 'kubernetes.io/tls',
      stringData: { 'tls.crt': getString(l.certificate.raw, 'cert') ?? '', 'tls.key': getString(l.certificate.raw, 'key') ?? '' },
    });
  }
}
