// Schema pieces shared by meshgate's own kinds (meshgate.io/v1alpha1).
import type { JsonObject } from '../../src/envoy/resource';
import type { UpstreamTls } from '../../src/ir/cluster';
import { CORE_GROUP, GATEWAY_GROUP, MESHGATE_GROUP } from '../core/kinds';
import { getBoolean, getString, getStrings } from '../core/json';
import { certificateProblem } from '../core/pem';
import { arr, bool, obj, oneOfStrings, str, type ObjectSchema, type StringSchema } from '../schema';
import { objectName, preciseHostname, sectionName } from '../gateway-api/schemas/common';

export const pemCertificate: StringSchema = str({ minLength: 1, check: certificateProblem });

/** Default API group of a policy target, so users may leave `group` out. */
export function defaultGroupOf(kind: string): string {
  switch (kind) {
    case 'Backend':
      return MESHGATE_GROUP;
    case 'Service':
      return CORE_GROUP;
    default:
      return GATEWAY_GROUP;
  }
}

/** A policy targetRef: {group?, kind, name, sectionName?}; `kinds` lists what this policy may target. */
export function targetRefSchema(kinds: readonly string[]): ObjectSchema {
  return obj(
    { group: str({ maxLength: 253 }), kind: oneOfStrings(...kinds), name: objectName, sectionName },
    {
      required: ['kind', 'name'],
      check: (ref) => {
        const kind = getString(ref, 'kind') ?? '';
        const group = getString(ref, 'group');
        if (group !== undefined && group !== defaultGroupOf(kind)) return [{ path: 'group', reason: `must be "${defaultGroupOf(kind)}" for kind ${kind}` }];
        if (getString(ref, 'sectionName') !== undefined && (kind === 'Backend' || kind === 'Service')) return [{ path: 'sectionName', reason: `is not supported for kind ${kind}` }];
        return [];
      },
    },
  );
}

/** Upstream TLS; verification is on unless the user opts out explicitly with insecureSkipVerify. */
export const upstreamTlsSchema: ObjectSchema = obj(
  {
    sni: preciseHostname,
    caCertificate: pemCertificate,
    subjectAltNames: arr(str({ minLength: 1 })),
    alpn: arr(oneOfStrings('h2', 'http/1.1')),
    insecureSkipVerify: bool,
  },
  {
    check: (tls) => {
      const skip = getBoolean(tls, 'insecureSkipVerify') === true;
      const ca = getString(tls, 'caCertificate') !== undefined;
      if (skip && ca) return [{ path: 'insecureSkipVerify', reason: 'cannot be combined with caCertificate' }];
      if (!skip && !ca) return [{ path: 'caCertificate', reason: 'required to verify the upstream; set insecureSkipVerify: true to connect without verification' }];
      return [];
    },
  },
);

export function upstreamTls(tls: JsonObject): UpstreamTls {
  const sni = getString(tls, 'sni');
  const ca = getString(tls, 'caCertificate');
  const sans = getStrings(tls, 'subjectAltNames');
  const alpn = getStrings(tls, 'alpn');
  return {
    ...(sni !== undefined ? { sni } : {}),
    ...(ca !== undefined ? { caCertificate: ca } : {}),
    ...(sans.length > 0 ? { subjectAltNames: sans } : {}),
    ...(alpn.length > 0 ? { alpn } : {}),
  };
}

/** Consumers a policy uses: by name and/or labels, always from the policy's own namespace. */
export const consumerSelectorSchema: ObjectSchema = obj({
  names: arr(objectName, { minItems: 1 }),
  matchLabels: { kind: 'map', values: str() },
});
