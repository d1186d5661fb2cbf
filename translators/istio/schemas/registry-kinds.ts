// ServiceEntry, WorkloadEntry, Sidecar and Gateway (networking.istio.io).
import { isIP } from 'node:net';
import { anything, arr, int, map, obj, oneOfStrings, str, type ObjectSchema } from '../../schema';
import { port, portSelector, workloadSelector } from './common';

const address = str({ minLength: 1, check: (v) => (v.startsWith('unix://') || isIP(v) !== 0 || /^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$/.test(v) ? undefined : 'is not an IP address, a hostname or a unix:// path') });

export const workloadEntrySpec: ObjectSchema = obj({
  address,
  ports: map(int(1, 65535)),
  labels: map(str()),
  network: str(),
  locality: str({ pattern: /^[^/]*(\/[^/]*){0,2}$/, patternHint: 'a locality "region/zone/subzone"' }),
  weight: int(0),
  serviceAccount: str({ minLength: 1, pattern: /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, patternHint: 'a service account name' }),
});

export const serviceEntrySpec = obj(
  {
    hosts: arr(str({ minLength: 1 }), { minItems: 1 }),
    addresses: arr(str({ minLength: 1 })),
    ports: arr(port, { uniqueBy: (p) => (typeof p === 'object' && p !== null && !Array.isArray(p) && typeof p['number'] === 'number' ? String(p['number']) : undefined), uniqueWhat: 'port' }),
    location: oneOfStrings('MESH_EXTERNAL', 'MESH_INTERNAL'),
    resolution: oneOfStrings('NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN'),
    endpoints: arr(workloadEntrySpec),
    workloadSelector,
    exportTo: anything,
    subjectAltNames: arr(str()),
  },
  { required: ['hosts'], atMostOneOf: ['endpoints', 'workloadSelector'] },
);

const captureMode = oneOfStrings('DEFAULT', 'IPTABLES', 'NONE');

export const sidecarSpec = obj({
  workloadSelector,
  ingress: arr(
    obj(
      { port, bind: str(), captureMode, defaultEndpoint: str({ minLength: 1 }), tls: anything, connectionPool: anything },
      { required: ['port'] },
    ),
  ),
  egress: arr(obj({ port, bind: str(), captureMode, hosts: arr(str({ minLength: 1 }), { minItems: 1 }) }, { required: ['hosts'] })),
  outboundTrafficPolicy: obj({ mode: oneOfStrings('REGISTRY_ONLY', 'ALLOW_ANY'), egressProxy: anything }),
  inboundConnectionPool: anything,
});

const serverTls = obj({
  httpsRedirect: { kind: 'boolean' },
  mode: oneOfStrings('PASSTHROUGH', 'SIMPLE', 'MUTUAL', 'AUTO_PASSTHROUGH', 'ISTIO_MUTUAL', 'OPTIONAL_MUTUAL'),
  serverCertificate: anything,
  privateKey: anything,
  caCertificates: anything,
  caCrl: anything,
  credentialName: str({ minLength: 1 }),
  credentialNames: anything,
  tlsCertificates: anything,
  subjectAltNames: anything,
  verifyCertificateSpki: anything,
  verifyCertificateHash: anything,
  minProtocolVersion: oneOfStrings('TLS_AUTO', 'TLSV1_0', 'TLSV1_1', 'TLSV1_2', 'TLSV1_3'),
  maxProtocolVersion: anything,
  cipherSuites: anything,
});

export const gatewaySpec = obj(
  {
    selector: map(str()),
    servers: arr(obj({ port, bind: str(), hosts: arr(str({ minLength: 1 }), { minItems: 1 }), tls: serverTls, name: str(), defaultEndpoint: anything }, { required: ['port', 'hosts'] }), { minItems: 1 }),
  },
  { required: ['servers'] },
);

export { portSelector };
