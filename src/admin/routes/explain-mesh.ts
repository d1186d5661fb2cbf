// The mesh form of POST /v1/explain: `from` (the calling workload) instead of `group`, the same
// host/port/method/path/headers as a gateway request. It answers the caller sidecar's outbound
// route and cluster and each destination endpoint's inbound authorization (src/explain/mesh-explain.ts).
import { explainMeshCall, type MeshExplainRequest, type MeshExplainResult } from '../../explain/mesh-explain';
import type { MeshGroups } from '../../explain/mesh-caller';
import type { JsonObject } from '../../envoy/resource';
import { ApiError } from '../errors';

export const meshFromSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'The calling workload (mesh request): one of group ("sidecar/<ns>/<name>"), workload ("<ns>/<name>", or a name with namespace), or namespace with serviceAccount',
  properties: {
    group: { type: 'string', minLength: 1 },
    workload: { type: 'string', minLength: 1 },
    namespace: { type: 'string', minLength: 1 },
    serviceAccount: { type: 'string', minLength: 1 },
  },
} as const;

/** The body fields both forms share; everything else belongs to one form only. */
export interface ExplainBodyFields {
  readonly group?: string;
  readonly from?: MeshExplainRequest['from'];
  readonly port: number;
  readonly host: string;
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly sni?: string;
  readonly tls?: boolean;
  readonly sourceIp?: string;
  readonly sourcePort?: number;
  readonly destinationIp?: string;
  readonly alpn?: readonly string[];
  readonly jwt?: JsonObject;
}

/** Fields of a gateway request that a mesh request cannot take: the caller's sidecar decides them. */
const GATEWAY_ONLY = ['sni', 'tls', 'alpn', 'sourceIp', 'sourcePort'] as const;

function badRequest(field: string, message: string): ApiError {
  return new ApiError(400, 'bad_request', message, [{ field }]);
}

export type ExplainForm = { readonly form: 'mesh' } | { readonly form: 'gateway'; readonly group: string; readonly path: string };

/** Which form the body is, or a 400 that names the field at fault. */
export function explainForm(body: ExplainBodyFields): ExplainForm {
  if (body.group !== undefined && body.from !== undefined) throw badRequest('group', 'body: give group (a gateway request) or from (a mesh request), not both');
  if (body.from !== undefined) {
    const wrong = GATEWAY_ONLY.find((f) => body[f] !== undefined);
    if (wrong) throw badRequest(wrong, `body.${wrong} does not apply to a mesh request (from): the caller's sidecar decides TLS and addresses`);
    return { form: 'mesh' };
  }
  const { group, path } = body;
  if (group === undefined) throw badRequest('group', 'body must have group (a proxy group: gateway request) or from (the calling workload: mesh request)');
  if (path === undefined) throw badRequest('path', "body must have required property 'path' (gateway request)");
  if (body.jwt !== undefined) throw badRequest('jwt', 'body.jwt applies to mesh requests (from) only');
  return { form: 'gateway', group, path };
}

export function explainMeshBody(groups: MeshGroups, body: ExplainBodyFields): MeshExplainResult {
  const result = explainMeshCall(groups, {
    from: body.from ?? {},
    host: body.host,
    port: body.port,
    ...(body.method !== undefined ? { method: body.method } : {}),
    ...(body.path !== undefined ? { path: body.path } : {}),
    ...(body.headers ? { headers: body.headers } : {}),
    ...(body.destinationIp !== undefined ? { destinationIp: body.destinationIp } : {}),
    ...(body.jwt ? { jwt: body.jwt } : {}),
  });
  if ('field' in result) throw new ApiError(result.status, result.status === 404 ? 'not_found' : 'bad_request', result.message, [{ field: result.field }]);
  return result;
}
