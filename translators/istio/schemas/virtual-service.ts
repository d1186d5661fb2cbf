// VirtualService (networking.istio.io): every field Istio defines, so that a misspelt field is an
// error while a real Istio field meshgate does not implement is a status warning.
import { anything, arr, bool, int, map, obj, oneOfStrings, str, type ObjectSchema } from '../../schema';
import { istioDuration } from '../durations';
import { destination, percent, portSelector, stringMatch } from './common';

/** gRPC status names as Istio writes them ("UNAVAILABLE"), or their numbers. */
export const GRPC_STATUS_NAMES: readonly string[] = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];

function grpcStatusProblem(value: string): string | undefined {
  if (/^[0-9]+$/.test(value) ? Number(value) <= 16 : GRPC_STATUS_NAMES.includes(value.toUpperCase())) return undefined;
  return `${JSON.stringify(value)} is not a gRPC status name (e.g. UNAVAILABLE) or number 0-16`;
}

const headerOperations = obj({ set: map(str()), add: map(str()), remove: arr(str()) });
const headers = obj({ request: headerOperations, response: headerOperations });

const httpMatch = obj({
  name: str(),
  uri: stringMatch,
  scheme: stringMatch,
  method: stringMatch,
  authority: stringMatch,
  headers: map(stringMatch),
  port: int(1, 65535),
  sourceLabels: map(str()),
  gateways: arr(str()),
  queryParams: map(stringMatch),
  ignoreUriCase: bool,
  withoutHeaders: map(stringMatch),
  sourceNamespace: str(),
  statPrefix: str(),
});

const routeDestination = obj({ destination, weight: int(0, 100), headers }, { required: ['destination'] });

const redirect = obj({
  uri: str(),
  authority: str(),
  port: int(1, 65535),
  derivePort: oneOfStrings('FROM_PROTOCOL_DEFAULT', 'FROM_REQUEST_PORT'),
  scheme: oneOfStrings('http', 'https'),
  redirectCode: int(300, 399),
});

const fault = obj({
  delay: obj({ fixedDelay: istioDuration(), exponentialDelay: anything, percentage: percent, percent: int(0, 100) }),
  abort: obj({ httpStatus: int(200, 599), grpcStatus: str({ minLength: 1, check: grpcStatusProblem }), http2Error: anything, percentage: percent }, { atMostOneOf: ['httpStatus', 'grpcStatus', 'http2Error'] }),
});

const cors = obj({
  allowOrigins: arr(stringMatch),
  allowOrigin: arr(str()),
  allowMethods: arr(str()),
  allowHeaders: arr(str()),
  exposeHeaders: arr(str()),
  maxAge: istioDuration(),
  allowCredentials: bool,
  unmatchedPreflights: anything,
});

const httpRoute: ObjectSchema = obj(
  {
    name: str(),
    match: arr(httpMatch),
    route: arr(routeDestination),
    redirect,
    directResponse: obj({ status: int(200, 599), body: obj({ string: str(), bytes: str() }) }, { required: ['status'] }),
    delegate: anything,
    rewrite: obj({ uri: str(), authority: str(), uriRegexRewrite: obj({ match: str({ minLength: 1 }), rewrite: str() }, { required: ['match'] }) }),
    timeout: istioDuration(),
    retries: obj({ attempts: int(0), perTryTimeout: istioDuration({ minMs: 1 }), retryOn: str(), retryRemoteLocalities: bool, retryIgnorePreviousHosts: anything, backoff: anything }),
    fault,
    mirror: destination,
    mirrorPercentage: percent,
    mirrorPercent: int(0, 100),
    mirror_percent: int(0, 100),
    mirrors: arr(obj({ destination, percentage: percent }, { required: ['destination'] })),
    corsPolicy: cors,
    headers,
  },
  { atMostOneOf: ['route', 'redirect', 'directResponse', 'delegate'] },
);

const tcpRoute = obj({
  match: arr(obj({ destinationSubnets: arr(str()), port: int(1, 65535), sourceLabels: map(str()), gateways: arr(str()), sourceNamespace: str(), sourceSubnet: str() })),
  route: arr(obj({ destination, weight: int(0, 100) }, { required: ['destination'] })),
});

export const virtualServiceSpec = obj({
  hosts: arr(str({ minLength: 1 })),
  gateways: arr(str({ minLength: 1 })),
  http: arr(httpRoute),
  tls: anything,
  tcp: arr(tcpRoute),
  exportTo: anything,
});

export { portSelector };
