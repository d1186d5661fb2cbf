// Gateway and GatewayClass (gateway.networking.k8s.io/v1), with the listener CEL rules.
import type { JsonValue } from '../../../src/envoy/resource';
import { getArray, getObject, getString } from '../../core/json';
import { anything, arr, isJsonObject, map, obj, oneOfStrings, str, type SchemaIssue } from '../../schema';
import { group, hostname, kind, labelSelector, namespaceName, objectName, port, sectionName } from './common';

const PROTOCOL = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9]+$/;

const secretObjectReference = obj({ group, kind, name: objectName, namespace: namespaceName }, { required: ['name'] });

const listenerTls = obj(
  {
    mode: oneOfStrings('Terminate', 'Passthrough'),
    certificateRefs: arr(secretObjectReference, { maxItems: 64 }),
    options: map(str({ maxLength: 4096 }), { maxProperties: 16 }),
  },
  {
    check: (tls) => {
      const mode = getString(tls, 'mode') ?? 'Terminate';
      if (mode === 'Terminate' && getArray(tls, 'certificateRefs').length === 0 && Object.keys(getObject(tls, 'options') ?? {}).length === 0) {
        return [{ path: 'certificateRefs', reason: 'certificateRefs or options must be specified when mode is Terminate' }];
      }
      return [];
    },
  },
);

const listener = obj(
  {
    name: sectionName,
    hostname,
    port,
    protocol: str({ minLength: 1, maxLength: 255, pattern: PROTOCOL, patternHint: 'a protocol such as HTTP or HTTPS' }),
    tls: listenerTls,
    allowedRoutes: obj({
      namespaces: obj({ from: oneOfStrings('All', 'Selector', 'Same'), selector: labelSelector }, {
        check: (n) => (getString(n, 'from') === 'Selector' && !getObject(n, 'selector') ? [{ path: 'selector', reason: 'required when from is Selector' }] : []),
      }),
      kinds: arr(obj({ group, kind }, { required: ['kind'] }), { maxItems: 8 }),
    }),
  },
  {
    required: ['name', 'port', 'protocol'],
    check: (l) => {
      const protocol = (getString(l, 'protocol') ?? '').toUpperCase();
      const issues: SchemaIssue[] = [];
      const tls = getObject(l, 'tls');
      if (['HTTP', 'TCP', 'UDP'].includes(protocol) && tls) issues.push({ path: 'tls', reason: `must not be specified for protocol ${protocol}` });
      if (protocol === 'HTTPS' && !tls) issues.push({ path: 'tls', reason: 'required for protocol HTTPS (certificateRefs to the certificate to serve)' });
      if (protocol === 'HTTPS' && tls && (getString(tls, 'mode') ?? 'Terminate') !== 'Terminate') issues.push({ path: 'tls.mode', reason: 'must be Terminate for protocol HTTPS' });
      if (protocol === 'TLS' && !getString(tls, 'mode')) issues.push({ path: 'tls.mode', reason: 'must be set for protocol TLS' });
      if (['TCP', 'UDP'].includes(protocol) && getString(l, 'hostname')) issues.push({ path: 'hostname', reason: `must not be specified for protocol ${protocol}` });
      return issues;
    },
  },
);

const nameOf = (v: JsonValue): string | undefined => (isJsonObject(v) ? getString(v, 'name') : undefined);

export const gatewaySpec = obj(
  {
    gatewayClassName: objectName,
    listeners: arr(listener, { minItems: 1, maxItems: 64, uniqueBy: nameOf, uniqueWhat: 'listener name' }),
    addresses: arr(obj({ type: str({ minLength: 1, maxLength: 253 }), value: str({ maxLength: 253 }) }), { maxItems: 16 }),
    infrastructure: anything,
    allowedListeners: anything,
    tls: anything,
    defaultScope: anything,
  },
  { required: ['gatewayClassName', 'listeners'] },
);

export const gatewayClassSpec = obj(
  {
    controllerName: str({
      minLength: 1,
      maxLength: 253,
      pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/,
      patternHint: 'a domain-prefixed path such as "meshgate.io/gateway-controller"',
    }),
    parametersRef: obj({ group, kind, name: objectName, namespace: namespaceName }, { required: ['group', 'kind', 'name'] }),
    description: str({ maxLength: 64 }),
  },
  { required: ['controllerName'] },
);

export const referenceGrantSpec = obj(
  {
    from: arr(obj({ group, kind, namespace: namespaceName }, { required: ['group', 'kind', 'namespace'] }), { minItems: 1, maxItems: 16 }),
    to: arr(obj({ group, kind, name: objectName }, { required: ['group', 'kind'] }), { minItems: 1, maxItems: 16 }),
  },
  { required: ['from', 'to'] },
);
