// DestinationRule (networking.istio.io): traffic policy per service, port and subset.
import { anything, arr, bool, int, map, obj, oneOfStrings, str, type ObjectSchema } from '../../schema';
import { istioDuration } from '../durations';
import { localityLbSetting } from './locality-lb';
import { portSelector, workloadSelector } from './common';

const consistentHash = obj(
  {
    httpHeaderName: str({ minLength: 1 }),
    httpCookie: obj({ name: str({ minLength: 1 }), path: str(), ttl: istioDuration(), attributes: anything }, { required: ['name'] }),
    useSourceIp: bool,
    httpQueryParameterName: str({ minLength: 1 }),
    ringHash: obj({ minimumRingSize: int(1) }),
    maglev: obj({ tableSize: int(1) }),
    minimumRingSize: int(1),
  },
  { atMostOneOf: ['httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName'] },
);

const loadBalancer = obj(
  {
    simple: oneOfStrings('UNSPECIFIED', 'LEAST_CONN', 'RANDOM', 'PASSTHROUGH', 'ROUND_ROBIN', 'LEAST_REQUEST'),
    consistentHash,
    localityLbSetting,
    warmupDurationSecs: anything,
    warmup: anything,
  },
  { atMostOneOf: ['simple', 'consistentHash'] },
);

const connectionPool = obj({
  tcp: obj({ maxConnections: int(0), connectTimeout: istioDuration(), tcpKeepalive: anything, maxConnectionDuration: anything, idleTimeout: anything }),
  http: obj({
    http1MaxPendingRequests: int(0),
    http2MaxRequests: int(0),
    maxRequestsPerConnection: int(0),
    maxRetries: int(0),
    idleTimeout: anything,
    h2UpgradePolicy: oneOfStrings('DEFAULT', 'DO_NOT_UPGRADE', 'UPGRADE'),
    useClientProtocol: anything,
    maxConcurrentStreams: anything,
  }),
});

const outlierDetection = obj({
  splitExternalLocalOriginErrors: anything,
  consecutiveLocalOriginFailures: anything,
  consecutiveGatewayErrors: int(0),
  consecutive5xxErrors: int(0),
  consecutiveErrors: int(0),
  interval: istioDuration({ minMs: 1 }),
  baseEjectionTime: istioDuration({ minMs: 1 }),
  maxEjectionPercent: int(0, 100),
  minHealthPercent: anything,
});

const clientTls = obj(
  {
    mode: oneOfStrings('DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'),
    clientCertificate: anything,
    privateKey: anything,
    caCertificates: anything,
    credentialName: str({ minLength: 1 }),
    subjectAltNames: arr(str()),
    sni: str(),
    insecureSkipVerify: bool,
    caCrl: anything,
  },
  {
    required: ['mode'],
    // meshgate reads credentials from Secrets only (the file fields name files on the proxy).
    check: (tls) => (tls['mode'] === 'MUTUAL' && typeof tls['credentialName'] !== 'string' ? [{ path: 'credentialName', reason: 'mode MUTUAL needs credentialName (a Secret with tls.crt, tls.key and optionally ca.crt)' }] : []),
  },
);

const policyFields = { loadBalancer, connectionPool, outlierDetection, tls: clientTls, tunnel: anything, proxyProtocol: anything };

export const trafficPolicy: ObjectSchema = obj({
  ...policyFields,
  portLevelSettings: arr(obj({ port: portSelector, ...policyFields }, { required: ['port'] })),
});

export const destinationRuleSpec = obj(
  {
    host: str({ minLength: 1 }),
    trafficPolicy,
    subsets: arr(obj({ name: str({ minLength: 1, pattern: /^[A-Za-z0-9][-A-Za-z0-9_.]*$/, patternHint: 'a subset name (letters, digits, "-", "_", ".")' }), labels: map(str()), trafficPolicy }, { required: ['name'] }), {
      uniqueBy: (s) => (typeof s === 'object' && s !== null && !Array.isArray(s) && typeof s['name'] === 'string' ? s['name'] : undefined),
      uniqueWhat: 'subset',
    }),
    exportTo: anything,
    workloadSelector,
  },
  { required: ['host'] },
);
