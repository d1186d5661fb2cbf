// GRPCRoute (gateway.networking.k8s.io/v1) with the CRD's CEL rules as `check` hooks.
import { getArray, getString } from '../../core/json';
import type { JsonValue } from '../../../src/envoy/resource';
import { anything, arr, int, obj, oneOfStrings, str, type SchemaIssue } from '../../schema';
import {
  backendObjectReference,
  checkFilterList,
  checkParentRefsDistinct,
  checkRuleNamesUnique,
  extensionRef,
  headerFilter,
  headerName,
  hostname,
  parentRef,
  requestMirror,
  sectionName,
} from './common';
import { checkTotalMatches, re2Problem } from './http-route';

const SERVICE_CHARS = /^\.?[A-Za-z_][A-Za-z_0-9]*(\.[A-Za-z_][A-Za-z_0-9]*)*$/;
const METHOD_CHARS = /^[A-Za-z_][A-Za-z_0-9]*$/;

const methodMatch = obj(
  { type: oneOfStrings('Exact', 'RegularExpression'), service: str({ maxLength: 1024 }), method: str({ maxLength: 1024 }) },
  {
    check: (m) => {
      const issues: SchemaIssue[] = [];
      const service = getString(m, 'service');
      const method = getString(m, 'method');
      if (!service && !method) issues.push({ path: '', reason: "one or both of 'service' or 'method' must be specified" });
      if ((getString(m, 'type') ?? 'Exact') === 'Exact') {
        if (service !== undefined && !SERVICE_CHARS.test(service)) issues.push({ path: 'service', reason: 'must be a fully qualified gRPC service name such as "helloworld.Greeter"' });
        if (method !== undefined && !METHOD_CHARS.test(method)) issues.push({ path: 'method', reason: 'must be a gRPC method name such as "SayHello"' });
      } else {
        for (const key of ['service', 'method']) {
          const value = getString(m, key);
          const reason = value === undefined ? undefined : re2Problem(value);
          if (reason) issues.push({ path: key, reason });
        }
      }
      return issues;
    },
  },
);

const headerMatch = obj(
  { type: oneOfStrings('Exact', 'RegularExpression'), name: headerName, value: str({ minLength: 1, maxLength: 4096 }) },
  {
    required: ['name', 'value'],
    check: (m) => {
      if (getString(m, 'type') !== 'RegularExpression') return [];
      const reason = re2Problem(getString(m, 'value') ?? '');
      return reason ? [{ path: 'value', reason }] : [];
    },
  },
);

export const GRPC_FILTER_FIELDS: Readonly<Record<string, string>> = {
  RequestHeaderModifier: 'requestHeaderModifier',
  ResponseHeaderModifier: 'responseHeaderModifier',
  RequestMirror: 'requestMirror',
  ExtensionRef: 'extensionRef',
};

const grpcFilter = obj(
  { type: oneOfStrings(...Object.keys(GRPC_FILTER_FIELDS)), requestHeaderModifier: headerFilter, responseHeaderModifier: headerFilter, requestMirror, extensionRef },
  { required: ['type'] },
);

const filterChecks = (filters: readonly JsonValue[]): SchemaIssue[] =>
  checkFilterList(filters, ['RequestHeaderModifier', 'ResponseHeaderModifier'], GRPC_FILTER_FIELDS).map((i) => ({ path: `filters${i.path}`, reason: i.reason }));

const grpcBackendRef = obj(
  { ...backendObjectReference.properties, weight: int(0, 1_000_000), filters: arr(grpcFilter, { maxItems: 16 }) },
  { required: ['name'], check: (r) => [...(backendObjectReference.check?.(r) ?? []), ...filterChecks(getArray(r, 'filters'))] },
);

export const grpcRouteRule = obj(
  {
    name: sectionName,
    matches: arr(obj({ method: methodMatch, headers: arr(headerMatch, { maxItems: 16 }) }), { maxItems: 8 }),
    filters: arr(grpcFilter, { maxItems: 16 }),
    backendRefs: arr(grpcBackendRef, { maxItems: 16 }),
    sessionPersistence: anything,
  },
  { check: (rule) => filterChecks(getArray(rule, 'filters')) },
);

export const grpcRouteSpec = obj(
  { parentRefs: arr(parentRef, { maxItems: 32 }), hostnames: arr(hostname, { maxItems: 16 }), rules: arr(grpcRouteRule, { maxItems: 16 }) },
  { check: (spec) => [...checkParentRefsDistinct(spec), ...checkRuleNamesUnique(spec), ...checkTotalMatches(spec)] },
);

